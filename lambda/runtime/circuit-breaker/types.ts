/**
 * The shape of a circuit as it is stored in DynamoDB, one item per circuit id (a downstream dependency).
 */

import { CircuitState } from '../../../lib/circuit-breaker/contract';

export { CircuitState, FailureCounting } from '../../../lib/circuit-breaker/contract';

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
   * Incremented by every write, and every write but the failure counter's is conditional on the version it read:
   * exactly one writer wins each transition. 0 means the item does not exist.
   */
  readonly version: number;
  /** Failures counted while CLOSED (consecutive, or within the window that started at `windowStart`). */
  readonly failureCount: number;
  /** Start of the current failure window (WINDOW counting only). */
  readonly windowStart?: number;
  /** When the circuit last opened. */
  readonly openedAt?: number;
  /** When the current OPEN period ends and a probe may be elected. */
  readonly openUntil?: number;
  /** Failed probes since the circuit last closed: the exponent of the open-timeout backoff. */
  readonly consecutiveOpenings: number;
  /** Environment that holds the probe lease (HALF_OPEN). */
  readonly probeOwner?: string;
  /** End of the probe lease; after it any caller may take over, so a crashed prober cannot wedge the circuit. */
  readonly probeLeaseUntil?: number;
  /** Successful probes in the current HALF_OPEN period. */
  readonly successCount: number;
  /** Time of the last write. */
  readonly updatedAt?: number;
  /** DynamoDB TTL (epoch seconds), refreshed by every write so idle circuits disappear (and read as CLOSED). */
  readonly expiration?: number;
}

/** The record a circuit has before anything was written for it (or after TTL removed it). */
export function closedRecord(id: string): CircuitRecord {
  return { id, state: CircuitState.CLOSED, version: 0, failureCount: 0, consecutiveOpenings: 0, successCount: 0 };
}

/** Whether a value is one of the {@link CircuitState} strings. */
export function isCircuitState(value: unknown): value is CircuitState {
  return value === CircuitState.CLOSED || value === CircuitState.OPEN || value === CircuitState.HALF_OPEN;
}
