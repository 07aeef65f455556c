/**
 * RATE counting against DynamoDB Local, step by step on a manual clock: when windows start, when tallies are
 * reported, what the shared tally holds, and when it opens the circuit.
 */
import { createCircuitTable, failing, ignoreErrors, ManualClock, succeeding, testBreaker } from './support';
import { CircuitBreakerOptions } from '../../../../lambda/runtime/circuit-breaker/breaker';
import { CircuitStore } from '../../../../lambda/runtime/circuit-breaker/store';
import { CircuitState, FailureCounting, windowTotals } from '../../../../lambda/runtime/circuit-breaker/types';

let table: string;
beforeAll(async () => {
  table = await createCircuitTable('rate');
});

const RATE: Partial<CircuitBreakerOptions> = {
  failureCounting: FailureCounting.RATE,
  failureThreshold: undefined,
  failureRateThreshold: 50,
  minimumCalls: 10,
  failureWindowMs: 10_000,
  tallyFlushIntervalMs: 1_000,
  stateMaxAgeMs: 1_000,
};

function rateBreaker(overrides: Partial<CircuitBreakerOptions> = {}) {
  return testBreaker(table, { ...RATE, ...overrides });
}

test('while nothing fails nothing is written, whatever the call rate', async () => {
  const t = rateBreaker();
  for (let i = 0; i < 200; i++) {
    await t.breaker.call(succeeding);
    t.clock.advance(20);
  }
  expect(t.counter.writes).toBe(0);
});

test('a failure starts a window; calls are reported at most once per flush interval; a report reaching the rate opens the circuit', async () => {
  const t = rateBreaker();
  const t0 = t.clock.time;
  await ignoreErrors(() => t.breaker.call(failing));
  expect(t.counter.writes).toBe(1);
  for (let i = 1; i <= 4; i++) {
    t.clock.time = t0 + i * 100;
    await t.breaker.call(succeeding);
  }
  expect(t.counter.writes).toBe(1);

  t.clock.time = t0 + 1_000; // one flush interval after the window started: this call reports
  await ignoreErrors(() => t.breaker.call(failing));
  expect(t.counter.writes).toBe(2);
  expect(windowTotals(await t.breaker.readState())).toEqual({ calls: 6, failures: 2 });

  for (let i = 1; i <= 4; i++) {
    t.clock.time = t0 + 1_000 + i * 100;
    await ignoreErrors(() => t.breaker.call(failing));
  }
  expect(t.counter.writes).toBe(2); // failures wait for the next report like successes do
  t.clock.time = t0 + 2_000;
  await t.breaker.call(succeeding); // 11 calls, 6 failed: 55 % ≥ 50 % over ≥ 10 calls
  const record = await t.breaker.readState();
  expect(record).toMatchObject({ state: CircuitState.OPEN, openedAt: t0 + 2_000 });
  expect(t.metrics).toHaveLength(1);
  expect(t.counter.writes).toBe(5); // start, two reports, the opening, the claim of its announcement
});

test('a rate below the threshold never opens, and the window holds exactly the calls made in it', async () => {
  const t = rateBreaker({ failureWindowMs: 60_000 });
  const t0 = t.clock.time;
  let calls = 0;
  for (let i = 0; i < 200; i++) {
    t.clock.time = t0 + i * 50;
    // Every fifth call fails: 20 %, the first one included.
    if (i % 5 === 0) await ignoreErrors(() => t.breaker.call(failing));
    else await t.breaker.call(succeeding);
    calls++;
  }
  t.clock.advance(1_000);
  await t.breaker.call(succeeding); // flush the rest
  calls++;
  const record = await t.breaker.readState();
  expect(record.state).toBe(CircuitState.CLOSED);
  expect(windowTotals(record)).toEqual({ calls, failures: 40 });
  // One start and one report per flush interval: 10 s of calls.
  expect(t.counter.writes).toBeLessThanOrEqual(12);
});

test('an environment that learns of a window late reports the calls it made since the window started', async () => {
  const clock = new ManualClock();
  const a = rateBreaker({ clock });
  const b = rateBreaker({ clock, circuitId: a.circuitId, stateMaxAgeMs: 2_000 });
  const t0 = clock.time;
  await b.breaker.call(succeeding); // b caches the circuit without a window
  clock.time = t0 + 100;
  await ignoreErrors(() => a.breaker.call(failing)); // a starts the window
  for (let i = 2; i <= 10; i++) {
    clock.time = t0 + i * 100;
    await b.breaker.call(succeeding); // b's cached state has no window yet: no writes
  }
  expect(b.counter.writes).toBe(0);
  clock.time = t0 + 2_000;
  await b.breaker.call(succeeding); // b's cache expired: it reads the window and counts its 9 calls since it started
  clock.time = t0 + 3_000;
  await b.breaker.call(succeeding); // first report, one flush interval after b learned of the window
  const record = await a.breaker.readState();
  expect(record.tallies).toEqual({
    [a.breaker.writerKey]: { calls: 1, failures: 1 },
    [b.breaker.writerKey]: { calls: 11, failures: 0 },
  });
});

test('a window ends after failureWindowMs: the next failure starts a new one and the old tallies are gone', async () => {
  const t = rateBreaker({ failureWindowMs: 2_000 });
  const t0 = t.clock.time;
  await ignoreErrors(() => t.breaker.call(failing));
  t.clock.time = t0 + 1_000;
  await t.breaker.call(succeeding);
  const first = await t.breaker.readState();
  expect(windowTotals(first)).toEqual({ calls: 2, failures: 1 });

  t.clock.time = t0 + 2_000; // the window has ended: a success writes nothing
  const writes = t.counter.writes;
  await t.breaker.call(succeeding);
  expect(t.counter.writes).toBe(writes);
  t.clock.time = t0 + 2_500;
  await ignoreErrors(() => t.breaker.call(failing));
  const second = await t.breaker.readState();
  expect(second.windowId).not.toBe(first.windowId);
  expect(second).toMatchObject({ windowStart: t0 + 2_500, tallies: { [t.breaker.writerKey]: { calls: 1, failures: 1 } } });
});

describe('a tally report is an absolute value', () => {
  const settings = { failureWindowMs: 10_000, recordTtlSeconds: 3_600 };

  test('sent twice (an SDK retry), it counts once; an older one never overwrites a newer one', async () => {
    const t = rateBreaker();
    const store = new CircuitStore(t.client, table);
    const now = t.clock.time;
    const started = await store.startWindow(t.circuitId, now, 'w-1', 'env-a', { calls: 1, failures: 1 }, settings);
    expect(started.written).toBe(true);
    for (let i = 0; i < 2; i++) {
      const again = await store.reportTally(t.circuitId, 'w-1', now, 'env-b', { calls: 7, failures: 2 }, settings);
      expect(again.written).toBe(true);
    }
    expect(windowTotals(await store.read(t.circuitId))).toEqual({ calls: 8, failures: 3 });
    const older = await store.reportTally(t.circuitId, 'w-1', now, 'env-b', { calls: 5, failures: 1 }, settings);
    // Lost, but against this writer's own newer tally: the store already holds more than it says.
    expect(older.written).toBe(true);
    expect(windowTotals(await store.read(t.circuitId))).toEqual({ calls: 8, failures: 3 });
  });

  test('a report for a window that was replaced is refused', async () => {
    const t = rateBreaker();
    const store = new CircuitStore(t.client, table);
    const now = t.clock.time;
    await store.startWindow(t.circuitId, now, 'w-old', 'env-a', { calls: 1, failures: 1 }, settings);
    await store.startWindow(t.circuitId, now + 10_000, 'w-new', 'env-a', { calls: 1, failures: 1 }, settings);
    const late = await store.reportTally(t.circuitId, 'w-old', now + 10_000, 'env-b', { calls: 9, failures: 9 }, settings);
    expect(late).toMatchObject({ written: false, current: { windowId: 'w-new' } });
  });
});
