/**
 * The shape of a circuit as it is stored in DynamoDB, one item per circuit id (a downstream dependency).
 */

import { CircuitState } from '../../../lib/circuit-breaker/contract';

export { CircuitState, FailureCounting } from '../../../lib/circuit-breaker/contract';

/** Calls and failures one environment (or the whole fleet) counted in a window. */
export interface Tally {
  readonly calls: number;
  readonly failures: number;
}

/** No calls. */
export const EMPTY_TALLY: Tally = { calls: 0, failures: 0 };

/**
 * One circuit's persisted state. Times are epoch milliseconds except `expiration` (epoch seconds, DynamoDB TTL).
 * A missing item reads as {@link closedRecord}.
 */
export interface CircuitRecord {
  /** Circuit id (partition key `id`). */
  readonly id: string;
  /** Current state. */
  readonly state: CircuitState;
  /**
   * Incremented by every write. Transitions out of OPEN and HALF_OPEN are conditional on the version they read, so
   * exactly one writer wins each (that is the probe election). 0 means the item does not exist.
   */
  readonly version: number;
  /** CLOSED: start of the active counting window (the time of the failure that started it). */
  readonly windowStart?: number;
  /** CLOSED: identity of the active window (the token of the write that started it). */
  readonly windowId?: string;
  /**
   * CLOSED: each environment's tally in the active window, keyed by its writer key. Environments write their own
   * entry as an absolute value, so a retried or repeated report can never count a call twice.
   */
  readonly tallies?: Readonly<Record<string, Tally>>;
  /** When the circuit last opened. */
  readonly openedAt?: number;
  /** When the current OPEN period ends and a probe may be elected. */
  readonly openUntil?: number;
  /** Failed probes since the circuit last closed: the exponent of the open-timeout backoff. */
  readonly consecutiveOpenings: number;
  /** Token of the write that opened the current OPEN (and HALF_OPEN) period. */
  readonly openedBy?: string;
  /** Environment that holds the probe lease (HALF_OPEN). */
  readonly probeOwner?: string;
  /** End of the probe lease; after it any caller may take over, so a crashed prober cannot wedge the circuit. */
  readonly probeLeaseUntil?: number;
  /** Successful probes in the current HALF_OPEN period. */
  readonly successCount: number;
  /** Token of the last transition write (open, election, probe result); counting writes leave it alone. */
  readonly transitionToken?: string;
  /**
   * The state the transition carrying `transitionToken` left, when it changed the state (a probe takeover or a probe
   * success short of `successThreshold` does not): that transition's metric is due until `announced` shows its token.
   */
  readonly transitionFrom?: CircuitState;
  /** The transition token whose metric was emitted: set by the one conditional write that claims the announcement. */
  readonly announced?: string;
  /** Token of that claim write (so a claimer whose response was lost recognises its own claim). */
  readonly announcer?: string;
  /** Time of the last write. */
  readonly updatedAt?: number;
  /** DynamoDB TTL (epoch seconds), refreshed by every write so idle circuits disappear (and read as CLOSED). */
  readonly expiration?: number;
}

/** The record a circuit has before anything was written for it (or after TTL removed it). */
export function closedRecord(id: string): CircuitRecord {
  return { id, state: CircuitState.CLOSED, version: 0, consecutiveOpenings: 0, successCount: 0 };
}

/** Whether a value is one of the {@link CircuitState} strings. */
export function isCircuitState(value: unknown): value is CircuitState {
  return value === CircuitState.CLOSED || value === CircuitState.OPEN || value === CircuitState.HALF_OPEN;
}

/** The fleet-wide tally of the record's active window (zero without one). */
export function windowTotals(record: CircuitRecord): Tally {
  let calls = 0;
  let failures = 0;
  for (const t of Object.values(record.tallies ?? {})) {
    calls += t.calls;
    failures += t.failures;
  }
  return { calls, failures };
}

/** Whether the record shows a state change whose metric nobody has emitted yet. */
export function announcementDue(record: CircuitRecord): boolean {
  return record.transitionFrom !== undefined && record.transitionToken !== undefined && record.announced !== record.transitionToken;
}

/** Whether the record has a counting window that has not ended at `now`. */
export function hasActiveWindow(record: CircuitRecord, now: number, windowMs: number): boolean {
  return record.state === CircuitState.CLOSED && record.windowId !== undefined && record.windowStart !== undefined
    && now < record.windowStart + windowMs;
}
