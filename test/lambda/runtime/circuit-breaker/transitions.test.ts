import { itemToRecord, recordFromJson, recordToItem } from '../../../../lambda/runtime/circuit-breaker/codec';
import {
  acquireProbe, admission, failuresCleared, openAfterFailures, openPeriodMs, probeFailed, probeSucceeded, TransitionSettings,
} from '../../../../lambda/runtime/circuit-breaker/transitions';
import { CircuitRecord, CircuitState, closedRecord } from '../../../../lambda/runtime/circuit-breaker/types';

const settings: TransitionSettings = {
  openTimeoutMs: 1_000,
  maxOpenTimeoutMs: 5_000,
  successThreshold: 2,
  probeLeaseMs: 3_000,
  recordTtlSeconds: 3_600,
};
const T = 1_900_000_000_000;

describe('admission', () => {
  test('CLOSED passes', () => {
    expect(admission(closedRecord('a'), T)).toEqual({ kind: 'pass' });
  });

  test('OPEN rejects until openUntil, then invites an election', () => {
    const open = openAfterFailures(closedRecord('a'), T, settings);
    expect(admission(open, T + 999)).toEqual({ kind: 'reject', state: CircuitState.OPEN, retryAt: T + 1_000 });
    expect(admission(open, T + 1_000)).toEqual({ kind: 'elect' });
  });

  test('HALF_OPEN rejects while the lease is held and invites an election once it expired or was released', () => {
    const half = acquireProbe(openAfterFailures(closedRecord('a'), T, settings), T + 1_000, 'env-1', settings);
    expect(admission(half, T + 3_999)).toEqual({ kind: 'reject', state: CircuitState.HALF_OPEN, retryAt: T + 4_000 });
    expect(admission(half, T + 4_000)).toEqual({ kind: 'elect' });
    const released = probeSucceeded(half, T + 1_100, settings);
    expect(released.state).toBe(CircuitState.HALF_OPEN);
    expect(admission(released, T + 1_100)).toEqual({ kind: 'elect' });
  });
});

describe('transitions', () => {
  test('every transition bumps the version and refreshes the TTL', () => {
    let r: CircuitRecord = { ...closedRecord('a'), version: 7, failureCount: 3 };
    const steps = [
      (x: CircuitRecord, t: number) => openAfterFailures(x, t, settings),
      (x: CircuitRecord, t: number) => acquireProbe(x, t, 'me', settings),
      (x: CircuitRecord, t: number) => probeFailed(x, t, settings),
      (x: CircuitRecord, t: number) => acquireProbe(x, t, 'me', settings),
      (x: CircuitRecord, t: number) => probeSucceeded(x, t, settings),
      (x: CircuitRecord, t: number) => failuresCleared(x, t, settings),
    ];
    let t = T;
    for (const step of steps) {
      t += 60_000;
      const next = step(r, t);
      expect(next.version).toBe(r.version + 1);
      expect(next.expiration).toBe(Math.floor(t / 1000) + 3_600);
      expect(next.updatedAt).toBe(t);
      r = next;
    }
  });

  test('open period doubles per failed probe and is capped', () => {
    expect([0, 1, 2, 3, 4, 100].map((n) => openPeriodMs(settings, n))).toEqual([1_000, 2_000, 4_000, 5_000, 5_000, 5_000]);
    let r = openAfterFailures(closedRecord('a'), T, settings);
    expect(r.openUntil! - r.openedAt!).toBe(1_000);
    for (const expected of [2_000, 4_000, 5_000]) {
      r = probeFailed(acquireProbe(r, r.openUntil!, 'me', settings), r.openUntil! + 10, settings);
      expect(r.state).toBe(CircuitState.OPEN);
      expect(r.openUntil! - r.openedAt!).toBe(expected);
      expect(r.probeOwner).toBeUndefined();
    }
  });

  test('successThreshold probes close the circuit and reset the backoff; fewer release the lease', () => {
    const open = probeFailed(acquireProbe(openAfterFailures(closedRecord('a'), T, settings), T + 1_000, 'x', settings), T + 1_001, settings);
    const first = probeSucceeded(acquireProbe(open, open.openUntil!, 'x', settings), open.openUntil! + 1, settings);
    expect(first).toMatchObject({ state: CircuitState.HALF_OPEN, successCount: 1 });
    expect(first.probeOwner).toBeUndefined();
    expect(first.probeLeaseUntil).toBeUndefined();
    const second = probeSucceeded(acquireProbe(first, first.updatedAt!, 'y', settings), first.updatedAt! + 1, settings);
    expect(second).toMatchObject({ state: CircuitState.CLOSED, failureCount: 0, successCount: 0, consecutiveOpenings: 0 });
    expect(second.openUntil).toBeUndefined();
  });

  test('a new half-open period does not inherit successes from an earlier one', () => {
    const half = { ...acquireProbe(openAfterFailures(closedRecord('a'), T, settings), T + 1_000, 'x', settings), successCount: 1 };
    const reopened = probeFailed(half, T + 1_001, settings);
    expect(acquireProbe(reopened, reopened.openUntil!, 'y', settings).successCount).toBe(0);
  });
});

describe('codec', () => {
  test('round-trips a record through a DynamoDB item and JSON', () => {
    const r = acquireProbe(openAfterFailures({ ...closedRecord('a/b c'), version: 4, windowStart: T }, T, settings), T + 1_000, 'me', settings);
    expect(itemToRecord('a/b c', recordToItem(r))).toEqual(r);
    expect(recordFromJson('a/b c', JSON.parse(JSON.stringify(r)))).toEqual(r);
    expect(recordToItem(r).expiration).toEqual({ N: String(Math.floor((T + 1_000) / 1000) + 3_600) });
  });

  test('a missing item is a fresh CLOSED circuit; malformed JSON is refused', () => {
    expect(itemToRecord('x', undefined)).toEqual(closedRecord('x'));
    expect(recordFromJson('x', null)).toEqual(closedRecord('x'));
    expect(recordFromJson('x', { id: 'y', state: 'OPEN' })).toBeUndefined();
    expect(recordFromJson('x', { id: 'x', state: 'AJAR' })).toBeUndefined();
    expect(recordFromJson('x', { id: 'x', state: 'OPEN', version: '3' })).toBeUndefined();
    expect(recordFromJson('x', 'OPEN')).toBeUndefined();
  });
});
