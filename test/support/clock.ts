/**
 * Jest setup file: with TEST_CLOCK set (an ISO date, e.g. `TEST_CLOCK=2031-01-01 npx jest test/lib`), every `Date` in
 * the test's context reads a clock shifted to that day, still advancing in real time (timeouts, elapsed-time
 * measurements and timers are untouched). Used to show that no synth depends on the day it runs: the construct suites
 * pass under a clock set after every date in the library's tables. Without TEST_CLOCK it does nothing.
 */
const target = process.env.TEST_CLOCK;
if (target) {
  const at = Date.parse(target);
  if (Number.isNaN(at)) throw new Error(`TEST_CLOCK=${target} is not a date (use e.g. 2031-01-01)`);
  const RealDate = Date;
  const offset = at - RealDate.now();
  class ShiftedDate extends RealDate {
    public static now(): number {
      return RealDate.now() + offset;
    }
    constructor(...args: unknown[]) {
      if (args.length === 0) super(RealDate.now() + offset);
      else super(...(args as [string | number | Date]));
    }
  }
  globalThis.Date = ShiftedDate as DateConstructor;
}

export {};
