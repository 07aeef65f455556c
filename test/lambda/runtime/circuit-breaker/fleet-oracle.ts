/**
 * The README's counting rule (RATE) as an oracle: from a fleet's call trace alone, what the rule says must happen.
 * The README states:
 * - a failure while no window is active starts one, which lasts `failureWindow`;
 * - the circuit opens when the reports' sum holds at least `minimumCalls` calls of which at least
 *   `failureRateThreshold` % failed;
 * - each environment reports its own tally at the end of a call, at most once per report interval; a call counts in
 *   the window its completion time falls in; state is at most `stateMaxAge` old, and an environment that learns of a
 *   window late adds the calls it made since the window began;
 * - calls after an environment's last report of a window are left out, failures and successes alike.
 * So at a moment T the fleet-wide tally of a window is a union of per-environment prefixes (in time) of the calls in
 * it: each is what that environment's report schedule has reported by T, a schedule fixed by the call at which it
 * learned of the window (any call within `stateMaxAge` of the start, or its first call after that), never by
 * outcomes. From that:
 * - {@link mustOpenBy}: the first moment at which every such union meets the rule: the circuit must be open by then;
 * - {@link mayOpenAt}: whether some union possible at a moment meets it: an opening at any other moment breaks the rule;
 * - {@link mayEverOpen}: whether some union possible at some call's end (when reports are written) meets it: if not,
 *   the circuit must stay closed.
 */

/** One completed call of the trace. */
export interface TracedCall {
  /** The execution environment (unique for the whole run: a new environment never reuses an id). */
  readonly env: string;
  /** Completion time, ms. */
  readonly at: number;
  readonly failed: boolean;
}

/** The settings the rule depends on. */
export interface RuleSettings {
  readonly failureRateThreshold: number;
  readonly minimumCalls: number;
  readonly failureWindowMs: number;
  readonly tallyFlushIntervalMs: number;
  readonly stateMaxAgeMs: number;
  /**
   * How far before a window's start a call may still count in it: the granularity completion times are kept at, and
   * in real time the race of two environments starting a window (the loser's failure counts in the winner).
   */
  readonly earlyMs: number;
}

interface Window {
  readonly start: number;
  readonly end: number;
  /** The failure that started it (counted by the write that started it). */
  readonly starter: TracedCall;
}

/** A call's contribution to `100 × failures − threshold × calls`: a union meets the rate when the sum is ≥ 0. */
const weight = (c: TracedCall, s: RuleSettings) => (c.failed ? 100 : 0) - s.failureRateThreshold;

function byTime(trace: readonly TracedCall[]): TracedCall[] {
  return [...trace].sort((a, b) => a.at - b.at);
}

/** The windows the rule starts over the trace: at each failure while none is active. */
export function ruleWindows(trace: readonly TracedCall[], s: RuleSettings): Window[] {
  const windows: Window[] = [];
  for (const c of byTime(trace)) {
    if (c.failed && (windows.length === 0 || c.at >= windows[windows.length - 1].end)) {
      windows.push({ start: c.at, end: c.at + s.failureWindowMs, starter: c });
    }
  }
  return windows;
}

/** One environment's calls in a window and the report schedules it may follow. */
interface EnvironmentInWindow {
  readonly calls: TracedCall[];
  /** weights[k]: sum of the weights of the first k calls. */
  readonly weights: number[];
  /**
   * Each schedule the README allows, as its report moments (ascending) and the prefix each reports: one per call at
   * which the environment may first learn of the window (the starter's environment: the starting write).
   */
  readonly schedules: Array<{ times: number[]; lengths: number[] }>;
}

/** How many of the ascending `values` are ≤ `at`. */
function countUpTo(values: readonly number[], at: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = Math.floor((lo + hi) / 2);
    if (values[mid] <= at) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The reports an environment sends in `w` if it first reports at call `first`: that call's end (with every call it
 * made in the window so far), then the end of each call at least a report interval after its previous report,
 * until the window ends. When they are sent never depends on what the calls returned.
 */
function schedule(calls: readonly TracedCall[], first: number, w: Window, s: RuleSettings): { times: number[]; lengths: number[] } {
  const times: number[] = [];
  const lengths: number[] = [];
  for (let i = first; i < calls.length && calls[i].at < w.end; i++) {
    if (times.length === 0 || calls[i].at - times[times.length - 1] >= s.tallyFlushIntervalMs) {
      times.push(calls[i].at);
      lengths.push(i + 1);
    }
  }
  return { times, lengths };
}

/** What each environment may have reported of one window at a given moment. */
class WindowView {
  public readonly envs: EnvironmentInWindow[] = [];

  constructor(trace: readonly TracedCall[], public readonly window: Window, private readonly s: RuleSettings) {
    const byEnv = new Map<string, TracedCall[]>();
    for (const c of byTime(trace)) {
      if (c.at < window.start - s.earlyMs || c.at >= window.end + s.earlyMs) continue;
      const calls = byEnv.get(c.env) ?? [];
      calls.push(c);
      byEnv.set(c.env, calls);
    }
    for (const calls of byEnv.values()) {
      const weights = [0];
      calls.forEach((c) => weights.push(weights[weights.length - 1] + weight(c, s)));
      // It learns of the window at a call made before its state could be older than the window (stateMaxAge after
      // the start), or at its first call after that; the starter's environment knows it from its starting write.
      const firsts: number[] = [];
      const starter = calls.indexOf(window.starter);
      if (starter >= 0) {
        firsts.push(starter);
      } else {
        calls.forEach((c, i) => {
          if (c.at >= window.start && c.at < window.start + s.stateMaxAgeMs) firsts.push(i);
        });
        // Its first call after that (none: it never reports this window).
        const late = calls.findIndex((c) => c.at >= window.start + s.stateMaxAgeMs);
        firsts.push(late >= 0 ? late : calls.length);
      }
      this.envs.push({ calls, weights, schedules: firsts.map((first) => schedule(calls, first, window, s)) });
    }
  }

  /** The moments reports are written: the ends of calls. */
  public moments(): number[] {
    return [...new Set(this.envs.flatMap((e) => e.calls.map((c) => c.at)))].sort((a, b) => a - b);
  }

  /** The prefix lengths `e` may have reported by `at`, one per schedule it may follow. */
  public reportedBy(e: EnvironmentInWindow, at: number): number[] {
    const lengths = e.schedules.map((sch) => {
      const n = countUpTo(sch.times, at);
      return n === 0 ? 0 : sch.lengths[n - 1];
    });
    return lengths.length ? [...new Set(lengths)] : [0];
  }

  /** Whether every tally possible at `at` meets the rule. */
  public surelyMet(at: number): boolean {
    let calls = 0;
    let worst = 0;
    for (const e of this.envs) {
      const options = this.reportedBy(e, at);
      calls += Math.min(...options);
      worst += Math.min(...options.map((k) => e.weights[k]));
    }
    return calls >= this.s.minimumCalls && worst >= 0;
  }

  /** Whether some tally possible at `at` meets the rule: the best weight for each number of calls (capped), environment by environment. */
  public possiblyMet(at: number): boolean {
    const cap = this.s.minimumCalls;
    let best: number[] = Array.from({ length: cap + 1 }, (_, j) => (j === 0 ? 0 : -Infinity));
    for (const e of this.envs) {
      const next: number[] = new Array<number>(cap + 1).fill(-Infinity);
      for (const k of this.reportedBy(e, at)) {
        const w = e.weights[k];
        for (let j = 0; j <= cap; j++) {
          if (best[j] === -Infinity) continue;
          const to = Math.min(cap, j + k);
          if (best[j] + w > next[to]) next[to] = best[j] + w;
        }
      }
      best = next;
    }
    return best[cap] >= 0;
  }
}

/** The first moment at which every tally the fleet can have reported meets the rule; undefined if the trace never gets there. */
export function mustOpenBy(trace: readonly TracedCall[], s: RuleSettings): number | undefined {
  for (const w of ruleWindows(trace, s)) {
    const view = new WindowView(trace, w, s);
    const at = view.moments().find((t) => view.surelyMet(t));
    if (at !== undefined) return at;
  }
  return undefined;
}

/** Whether the rule allows the circuit to open at `at`: some tally possible then of the window running then meets it. */
export function mayOpenAt(trace: readonly TracedCall[], at: number, s: RuleSettings): boolean {
  const w = ruleWindows(trace, s).find((x) => x.start <= at && at < x.end + s.earlyMs);
  return w !== undefined && new WindowView(trace, w, s).possiblyMet(at);
}

/** Whether at the end of some call (when reports are written) some tally possible then meets the rule. */
export function mayEverOpen(trace: readonly TracedCall[], s: RuleSettings): boolean {
  return ruleWindows(trace, s).some((w) => {
    const view = new WindowView(trace, w, s);
    return view.envs.flatMap((e) => e.calls.map((c) => c.at)).some((at) => view.possiblyMet(at));
  });
}
