/**
 * The state machine as pure functions of (record, time, settings): what a caller may do, and the record a
 * transition writes. Each transition carries the writer's token, so a writer whose response was lost (and whose
 * retried write then failed its condition) recognises its own write in the item. Transitions out of OPEN and
 * HALF_OPEN are persisted conditionally on the version the caller read, so one computed from a stale record loses.
 */
import { CircuitRecord, CircuitState } from './types';

/** Settings the transitions depend on. */
export interface TransitionSettings {
  readonly openTimeoutMs: number;
  readonly maxOpenTimeoutMs: number;
  readonly successThreshold: number;
  readonly probeLeaseMs: number;
  readonly recordTtlSeconds: number;
}

/** What a caller may do with the circuit in a given state. */
export type Admission =
  | { readonly kind: 'pass' }
  | { readonly kind: 'elect' }
  | { readonly kind: 'reject'; readonly state: CircuitState; readonly retryAt: number };

/** CLOSED passes; an elapsed OPEN period or a free/expired probe lease invites an election; anything else is rejected. */
export function admission(record: CircuitRecord, now: number): Admission {
  switch (record.state) {
    case CircuitState.CLOSED:
      return { kind: 'pass' };
    case CircuitState.OPEN: {
      const openUntil = record.openUntil ?? 0;
      return now >= openUntil ? { kind: 'elect' } : { kind: 'reject', state: record.state, retryAt: openUntil };
    }
    case CircuitState.HALF_OPEN: {
      const leaseUntil = record.probeLeaseUntil;
      return leaseUntil === undefined || now >= leaseUntil ? { kind: 'elect' } : { kind: 'reject', state: record.state, retryAt: leaseUntil };
    }
  }
}

/** Open period after `failedProbes` failed probes: `openTimeout × 2^n`, capped. */
export function openPeriodMs(settings: TransitionSettings, failedProbes: number): number {
  // The exponent is capped so 2^n stays finite; the cap on the period does the real limiting.
  const factor = 2 ** Math.min(Math.max(failedProbes, 0), 40);
  return Math.min(settings.openTimeoutMs * factor, settings.maxOpenTimeoutMs);
}

/** The fields a write opening the circuit sets (after `failedProbes` failed probes), with the opener's token. */
export function openedFields(now: number, settings: TransitionSettings, failedProbes: number, token: string) {
  return {
    state: CircuitState.OPEN,
    openedAt: now,
    openUntil: now + openPeriodMs(settings, failedProbes),
    consecutiveOpenings: failedProbes,
    successCount: 0,
    openedBy: token,
    transitionToken: token,
  } as const;
}

/** The announcement fields of a write that moves the circuit from `from` to `to`: due when the state changed. */
function announcing(from: CircuitState, to: CircuitState): Pick<CircuitRecord, 'transitionFrom'> {
  return from === to ? {} : { transitionFrom: from };
}

/** OPEN or HALF_OPEN (lease expired) → HALF_OPEN with `owner` holding the probe lease. */
export function acquireProbe(seen: CircuitRecord, now: number, owner: string, settings: TransitionSettings, token: string): CircuitRecord {
  return {
    ...written(seen, now, settings, token),
    ...announcing(seen.state, CircuitState.HALF_OPEN),
    state: CircuitState.HALF_OPEN,
    probeOwner: owner,
    probeLeaseUntil: now + settings.probeLeaseMs,
    // Successes of an earlier half-open period (before a failed probe) must not count toward this one.
    successCount: seen.state === CircuitState.HALF_OPEN ? seen.successCount : 0,
  };
}

/** The lease holder's probe succeeded: CLOSED once enough probes succeeded, otherwise HALF_OPEN with the lease released. */
export function probeSucceeded(seen: CircuitRecord, now: number, settings: TransitionSettings, token: string): CircuitRecord {
  const successCount = seen.successCount + 1;
  if (successCount >= settings.successThreshold) {
    return {
      id: seen.id,
      state: CircuitState.CLOSED,
      version: seen.version + 1,
      consecutiveOpenings: 0,
      successCount: 0,
      transitionToken: token,
      transitionFrom: seen.state,
      updatedAt: now,
      expiration: expiration(now, settings),
    };
  }
  // Releasing (not keeping) the lease lets whichever environment gets the next call probe next.
  return { ...withoutLease(written(seen, now, settings, token)), successCount };
}

/** The lease holder's probe failed: OPEN again for a longer period. */
export function probeFailed(seen: CircuitRecord, now: number, settings: TransitionSettings, token: string): CircuitRecord {
  const { windowStart: _s, windowId: _w, tallies: _t, ...rest } = withoutLease(written(seen, now, settings, token));
  return { ...rest, ...openedFields(now, settings, seen.consecutiveOpenings + 1, token), ...announcing(seen.state, CircuitState.OPEN) };
}

/** Whether `record` shows that the write carrying `token` took effect (the item may have moved on since). */
export function wroteTransition(record: CircuitRecord, token: string): boolean {
  return record.transitionToken === token || record.openedBy === token;
}

/** DynamoDB TTL value for a write at `now`. */
export function expiration(now: number, settings: Pick<TransitionSettings, 'recordTtlSeconds'>): number {
  return Math.floor(now / 1000) + settings.recordTtlSeconds;
}

/** `seen` rewritten by the transition carrying `token`; the previous transition's announcement fields go with it. */
function written(seen: CircuitRecord, now: number, settings: TransitionSettings, token: string): CircuitRecord {
  const { transitionFrom: _from, announced: _announced, announcer: _announcer, ...rest } = seen;
  return { ...rest, version: seen.version + 1, updatedAt: now, expiration: expiration(now, settings), transitionToken: token };
}

function withoutLease(record: CircuitRecord): CircuitRecord {
  const { probeOwner: _owner, probeLeaseUntil: _lease, ...rest } = record;
  return rest;
}
