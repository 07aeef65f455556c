/** The counting rules and one environment's tally, without I/O. */
import { CircuitTally, CountingSettings, OutcomeHistory, thresholdReached } from '../../../../lambda/runtime/circuit-breaker/counting';
import { CircuitRecord, CircuitState, closedRecord, FailureCounting } from '../../../../lambda/runtime/circuit-breaker/types';

const T = 1_900_000_000_000;
const RATE: CountingSettings = {
  failureCounting: FailureCounting.RATE,
  failureThreshold: 5,
  failureRateThreshold: 50,
  minimumCalls: 20,
  failureWindowMs: 30_000,
  tallyFlushIntervalMs: 1_000,
};
const WINDOW: CountingSettings = { ...RATE, failureCounting: FailureCounting.WINDOW };

const windowAt = (start: number, id = 'w-1', tallies?: CircuitRecord['tallies']): CircuitRecord => ({
  ...closedRecord('c'), version: 3, windowStart: start, windowId: id, tallies,
});

describe('thresholdReached', () => {
  test('RATE: the rate counts only from the minimum number of calls, and the threshold itself opens', () => {
    expect(thresholdReached({ calls: 19, failures: 19 }, RATE)).toBe(false);
    expect(thresholdReached({ calls: 20, failures: 9 }, RATE)).toBe(false);
    expect(thresholdReached({ calls: 20, failures: 10 }, RATE)).toBe(true);
    expect(thresholdReached({ calls: 1_000, failures: 499 }, RATE)).toBe(false);
  });

  test('WINDOW: a number of failures, whatever the calls', () => {
    expect(thresholdReached({ calls: 1_000, failures: 4 }, WINDOW)).toBe(false);
    expect(thresholdReached({ calls: 5, failures: 5 }, WINDOW)).toBe(true);
  });
});

describe('OutcomeHistory', () => {
  test('a window counts the calls from its start on (to the 10 ms bucket), and not those before', () => {
    const h = new OutcomeHistory(30_000);
    h.record(T - 1_000, true);
    h.record(T, false);
    h.record(T + 5, true);
    h.record(T + 2_000, false);
    expect(h.between(T, T + 30_000)).toEqual({ calls: 3, failures: 1 });
    expect(h.between(T + 1, T + 1_000)).toEqual({ calls: 2, failures: 1 });
  });

  test('outcomes older than the horizon are forgotten, however many calls came', () => {
    const h = new OutcomeHistory(1_000);
    for (let t = 0; t < 10_000; t += 2) h.record(T + t, t % 4 === 0);
    const recent = h.between(T, T + 10_000);
    expect(recent.calls).toBeLessThan(1_000);
    expect(recent.calls).toBeGreaterThanOrEqual(500);
  });
});

describe('CircuitTally', () => {
  test('a window learned late starts with the calls made since it began; its next call reports at once, later ones one interval apart', () => {
    const tally = new CircuitTally('me', RATE);
    tally.record(T - 500, false); // before the window
    tally.record(T + 100, false);
    tally.record(T + 200, true);
    tally.learn(windowAt(T), T + 300);
    expect(tally.activeWindow(T + 300)).toMatchObject({ id: 'w-1', counted: { calls: 2, failures: 1 }, reported: { calls: 0, failures: 0 } });
    tally.record(T + 400, false);
    // An environment calling less than once a window must not wait an interval it will never see.
    expect(tally.reportDue(T + 400, false)).toBe(true);
    expect(tally.reporting(T + 400)).toEqual({ windowId: 'w-1', tally: { calls: 3, failures: 1 } });
    tally.reported('w-1', { calls: 3, failures: 1 });
    tally.record(T + 900, false);
    expect(tally.reportDue(T + 900, false)).toBe(false);
    tally.record(T + 1_400, false);
    expect(tally.reportDue(T + 1_400, false)).toBe(true);
    expect(tally.reporting(T + 1_400)).toEqual({ windowId: 'w-1', tally: { calls: 5, failures: 1 } });
    tally.reported('w-1', { calls: 5, failures: 1 });
    expect(tally.reportDue(T + 2_500, false)).toBe(false); // nothing new to report
  });

  test('a failure whose window-starting write lost counts in the window that won, though it came before that start', () => {
    const tally = new CircuitTally('me', { ...RATE, failureCounting: FailureCounting.WINDOW, failureThreshold: 3 });
    tally.record(T - 40, true); // this failure's start write lost to a window another environment started at T
    tally.learn(windowAt(T), T + 5, T - 40);
    expect(tally.activeWindow(T + 5)).toMatchObject({ counted: { calls: 1, failures: 1 } });
  });

  test('WINDOW counting reports each failure at once and never a success', () => {
    const tally = new CircuitTally('me', WINDOW);
    tally.learn(windowAt(T), T);
    tally.record(T + 1, false);
    expect(tally.reportDue(T + 1, false)).toBe(false);
    tally.record(T + 2, true);
    expect(tally.reportDue(T + 2, true)).toBe(true);
  });

  test('a record without the window (the circuit opened, or closed again) ends the one being counted', () => {
    const tally = new CircuitTally('me', RATE);
    tally.learn(windowAt(T), T);
    tally.learn({ ...closedRecord('c'), state: CircuitState.OPEN, version: 4 }, T + 10);
    expect(tally.activeWindow(T + 10)).toBeUndefined();
    tally.learn(windowAt(T + 20, 'w-2', { me: { calls: 3, failures: 1 } }), T + 30);
    expect(tally.activeWindow(T + 30)).toMatchObject({ id: 'w-2', reported: { calls: 3, failures: 1 } });
    expect(tally.activeWindow(T + 20 + RATE.failureWindowMs)).toBeUndefined();
  });
});
