import { itemToRecord, recordFromJson, recordToItem } from '../../../../lambda/runtime/circuit-breaker/codec';
import {
  acquireProbe, admission, openedFields, openPeriodMs, probeFailed, probeSucceeded, TransitionSettings, wroteTransition,
} from '../../../../lambda/runtime/circuit-breaker/transitions';
import { CircuitRecord, CircuitState, closedRecord, windowTotals } from '../../../../lambda/runtime/circuit-breaker/types';

const settings: TransitionSettings = {
  openTimeoutMs: 1_000,
  maxOpenTimeoutMs: 5_000,
  successThreshold: 2,
  probeLeaseMs: 3_000,
  recordTtlSeconds: 3_600,
};
const T = 1_900_000_000_000;

/** A circuit opened from CLOSED at `t` (what the store's opening write leaves). */
function opened(t: number, id = 'a'): CircuitRecord {
  return { ...closedRecord(id), version: 5, ...openedFields(t, settings, 0, 'opener.1'), updatedAt: t };
}

describe('admission', () => {
  test('CLOSED passes', () => {
    expect(admission(closedRecord('a'), T)).toEqual({ kind: 'pass' });
  });

  test('OPEN rejects until openUntil, then invites an election', () => {
    const open = opened(T);
    expect(admission(open, T + 999)).toEqual({ kind: 'reject', state: CircuitState.OPEN, retryAt: T + 1_000 });
    expect(admission(open, T + 1_000)).toEqual({ kind: 'elect' });
  });

  test('HALF_OPEN rejects while the lease is held and invites an election once it expired or was released', () => {
    const half = acquireProbe(opened(T), T + 1_000, 'env-1', settings, 'p.1');
    expect(admission(half, T + 3_999)).toEqual({ kind: 'reject', state: CircuitState.HALF_OPEN, retryAt: T + 4_000 });
    expect(admission(half, T + 4_000)).toEqual({ kind: 'elect' });
    const released = probeSucceeded(half, T + 1_100, settings, 'p.2');
    expect(released.state).toBe(CircuitState.HALF_OPEN);
    expect(admission(released, T + 1_100)).toEqual({ kind: 'elect' });
  });
});

describe('transitions', () => {
  test('every transition bumps the version, refreshes the TTL and carries its writer\'s token', () => {
    let r: CircuitRecord = opened(T);
    const steps = [
      (x: CircuitRecord, t: number, token: string) => acquireProbe(x, t, 'me', settings, token),
      (x: CircuitRecord, t: number, token: string) => probeFailed(x, t, settings, token),
      (x: CircuitRecord, t: number, token: string) => acquireProbe(x, t, 'me', settings, token),
      (x: CircuitRecord, t: number, token: string) => probeSucceeded(x, t, settings, token),
      (x: CircuitRecord, t: number, token: string) => acquireProbe(x, t, 'me', settings, token),
      (x: CircuitRecord, t: number, token: string) => probeSucceeded(x, t, settings, token),
    ];
    let t = T;
    for (const [i, step] of steps.entries()) {
      t += 60_000;
      const next = step(r, t, `w.${i}`);
      expect(next.version).toBe(r.version + 1);
      expect(next.expiration).toBe(Math.floor(t / 1000) + 3_600);
      expect(next.updatedAt).toBe(t);
      expect(next.transitionToken).toBe(`w.${i}`);
      expect(wroteTransition(next, `w.${i}`)).toBe(true);
      r = next;
    }
    expect(r.state).toBe(CircuitState.CLOSED);
  });

  test('the opener\'s token outlives the election that follows it, so a late retry of the opening still finds it', () => {
    const half = acquireProbe(opened(T), T + 1_000, 'prober', settings, 'p.1');
    expect(wroteTransition(half, 'opener.1')).toBe(true);
    expect(wroteTransition(half, 'someone.9')).toBe(false);
  });

  test('open period doubles per failed probe and is capped', () => {
    expect([0, 1, 2, 3, 4, 100].map((n) => openPeriodMs(settings, n))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
    let r = opened(T);
    expect(r.openUntil! - r.openedAt!).toBe(1_000);
    for (const expected of [2_000, 4_000, 5_000]) {
      r = probeFailed(acquireProbe(r, r.openUntil!, 'me', settings, 'p'), r.openUntil! + 10, settings, 'f');
      expect(r.state).toBe(CircuitState.OPEN);
      expect(r.openUntil! - r.openedAt!).toBe(expected);
      expect(r.probeOwner).toBeUndefined();
    }
  });

  test('successThreshold probes close the circuit and reset the backoff; fewer release the lease', () => {
    const open = probeFailed(acquireProbe(opened(T), T + 1_000, 'x', settings, 'p'), T + 1_001, settings, 'f');
    const first = probeSucceeded(acquireProbe(open, open.openUntil!, 'x', settings, 'p2'), open.openUntil! + 1, settings, 's1');
    expect(first).toMatchObject({ state: CircuitState.HALF_OPEN, successCount: 1 });
    expect(first.probeOwner).toBeUndefined();
    expect(first.probeLeaseUntil).toBeUndefined();
    const second = probeSucceeded(acquireProbe(first, first.updatedAt!, 'y', settings, 'p3'), first.updatedAt! + 1, settings, 's2');
    expect(second).toMatchObject({ state: CircuitState.CLOSED, successCount: 0, consecutiveOpenings: 0 });
    expect(second.openUntil).toBeUndefined();
    expect(second.openedBy).toBeUndefined();
  });

  test('a new half-open period does not inherit successes from an earlier one', () => {
    const half = { ...acquireProbe(opened(T), T + 1_000, 'x', settings, 'p'), successCount: 1 };
    const reopened = probeFailed(half, T + 1_001, settings, 'f');
    expect(acquireProbe(reopened, reopened.openUntil!, 'y', settings, 'p2').successCount).toBe(0);
  });
});

describe('codec', () => {
  test('round-trips records through a DynamoDB item and JSON', () => {
    const half = acquireProbe(opened(T, 'a/b c'), T + 1_000, 'me', settings, 'p.1');
    const counting: CircuitRecord = {
      ...closedRecord('a/b c'), version: 9, windowStart: T, windowId: 'w.1', tallies: { 'k-1': { calls: 12, failures: 3 }, 'k_2': { calls: 1, failures: 1 } },
    };
    for (const r of [half, counting]) {
      expect(itemToRecord('a/b c', recordToItem(r))).toEqual(r);
      expect(recordFromJson('a/b c', JSON.parse(JSON.stringify(r)))).toEqual(r);
    }
    expect(recordToItem(half).expiration).toEqual({ N: String(Math.floor((T + 1_000) / 1000) + 3_600) });
    expect(windowTotals(counting)).toEqual({ calls: 13, failures: 4 });
  });

  test('a missing item is a fresh CLOSED circuit; malformed JSON is refused', () => {
    expect(itemToRecord('x', undefined)).toEqual(closedRecord('x'));
    expect(recordFromJson('x', null)).toEqual(closedRecord('x'));
    expect(recordFromJson('x', { id: 'y', state: 'OPEN' })).toBeUndefined();
    expect(recordFromJson('x', { id: 'x', state: 'AJAR' })).toBeUndefined();
    expect(recordFromJson('x', { id: 'x', state: 'OPEN', version: '3' })).toBeUndefined();
    expect(recordFromJson('x', { id: 'x', state: 'CLOSED', windowId: 7 })).toBeUndefined();
    expect(recordFromJson('x', { id: 'x', state: 'CLOSED', tallies: { k: { calls: 1 } } })).toBeUndefined();
    expect(recordFromJson('x', 'OPEN')).toBeUndefined();
  });
});
