/**
 * What one execution environment knows about a circuit's counting window, without I/O: its recent call outcomes
 * (so a window it learns of late still gets the calls it made since the window started), the window it counts
 * in, what it has reported, and when its next report is due. The breaker does the writes.
 *
 * A window starts at a failure and lasts `failureWindowMs`. Every environment reports its own absolute tally of
 * the window's calls (by completion time on its clock), so the fleet-wide tally is the sum of the reports:
 * - RATE: an environment's first call completing in a window it knows of reports at once, later ones at most every
 *   `tallyFlushIntervalMs`, whatever their outcome, so when a report is sent never depends on what the calls
 *   returned (the shared rate is not biased towards failures), and an environment calling less than once a window
 *   still has its call counted;
 * - WINDOW: each failure is reported at once (a number of failures needs no rate).
 * A failure whose own window-starting write lost the race to another environment's counts in the window that won,
 * even when it completed just before that window's start.
 */
import { CircuitRecord, CircuitState, EMPTY_TALLY, FailureCounting, hasActiveWindow, Tally } from './types';

/** Settings the counting depends on. */
export interface CountingSettings {
  readonly failureCounting: FailureCounting;
  readonly failureThreshold: number;
  readonly failureRateThreshold: number;
  readonly minimumCalls: number;
  readonly failureWindowMs: number;
  readonly tallyFlushIntervalMs: number;
}

/** Whether a window's fleet-wide tally opens the circuit. */
export function thresholdReached(totals: Tally, s: CountingSettings): boolean {
  if (s.failureCounting === FailureCounting.WINDOW) return totals.failures >= s.failureThreshold;
  return totals.calls >= s.minimumCalls && totals.failures * 100 >= s.failureRateThreshold * totals.calls;
}

/** Width of the buckets outcomes are kept in: a window learned late may count calls up to this long before its start. */
export const OUTCOME_BUCKET_MS = 10;
/** Longest stretch of outcomes kept for a window learned late. */
const MAX_HISTORY_MS = 60_000;
const EXPIRED_BUCKETS_DROPPED_TOGETHER = 64;

function bucketStart(at: number): number {
  return at - (((at % OUTCOME_BUCKET_MS) + OUTCOME_BUCKET_MS) % OUTCOME_BUCKET_MS);
}

/** A bucket counts in a window when it reaches past the window's start and begins before its end. */
function bucketInWindow(bucket: number, start: number, end: number): boolean {
  return bucket + OUTCOME_BUCKET_MS > start && bucket < end;
}

interface Bucket {
  readonly start: number;
  calls: number;
  failures: number;
}

/** Recent outcomes in time buckets: memory stays bounded however fast calls come. */
export class OutcomeHistory {
  private buckets: Bucket[] = [];

  constructor(private readonly horizonMs: number) {}

  public record(at: number, failed: boolean): void {
    const start = bucketStart(at);
    let bucket: Bucket | undefined;
    for (let i = this.buckets.length - 1; i >= 0 && this.buckets[i].start >= start; i--) {
      if (this.buckets[i].start === start) bucket = this.buckets[i];
    }
    if (!bucket) {
      bucket = { start, calls: 0, failures: 0 };
      this.buckets.push(bucket);
      // Clocks only move forward here, but keep the order even if one did not.
      if (this.buckets.length > 1 && this.buckets[this.buckets.length - 2].start > start) this.buckets.sort((a, b) => a.start - b.start);
    }
    bucket.calls++;
    if (failed) bucket.failures++;
    // Expired buckets go in batches, so a steady stream of calls does not copy the array on every call.
    const cutoff = at - this.horizonMs;
    let drop = 0;
    while (drop < this.buckets.length && this.buckets[drop].start + OUTCOME_BUCKET_MS <= cutoff) drop++;
    if (drop >= EXPIRED_BUCKETS_DROPPED_TOGETHER || drop === this.buckets.length) this.buckets = this.buckets.slice(drop);
  }

  /** Outcomes in buckets that reach past `start` and begin before `end`. */
  public between(start: number, end: number): Tally {
    let calls = 0;
    let failures = 0;
    for (const b of this.buckets) {
      if (bucketInWindow(b.start, start, end)) {
        calls += b.calls;
        failures += b.failures;
      }
    }
    return { calls, failures };
  }
}

/** The window this environment counts in. */
export interface LocalWindow {
  readonly id: string;
  readonly start: number;
  readonly end: number;
  /** This environment's calls in the window so far (what its next report will say). */
  readonly counted: Tally;
  /** The tally the store has from this environment. */
  readonly reported: Tally;
}

/** One environment's counting for one circuit. */
export class CircuitTally {
  private readonly history: OutcomeHistory;
  private window?: { -readonly [K in keyof LocalWindow]: LocalWindow[K] } & { lastReportAt: number };

  constructor(
    /** This environment's key in the item's `tallies` map. */
    public readonly writerKey: string,
    private readonly settings: CountingSettings,
  ) {
    this.history = new OutcomeHistory(Math.min(settings.failureWindowMs, MAX_HISTORY_MS));
  }

  /** Records one completed call of a CLOSED circuit. */
  public record(at: number, failed: boolean): void {
    this.history.record(at, failed);
    const w = this.window;
    if (w && bucketInWindow(bucketStart(at), w.start, w.end)) {
      w.counted = { calls: w.counted.calls + 1, failures: w.counted.failures + (failed ? 1 : 0) };
    }
  }

  /**
   * Takes note of the window `record` shows: an active one not yet known is counted from its start (or from
   * `lostStartAt`, the failure whose own start write lost to it), with the calls this environment already made in
   * it, and its next call reports at once. A record without
   * that window (the circuit opened, or closed again) ends the one being counted.
   */
  public learn(record: CircuitRecord, now: number, lostStartAt?: number): void {
    if (record.state === CircuitState.CLOSED && record.windowId !== undefined && record.windowId === this.window?.id) return;
    this.window = undefined;
    if (!hasActiveWindow(record, now, this.settings.failureWindowMs)) return;
    const start = record.windowStart!;
    const end = start + this.settings.failureWindowMs;
    // A failure that tried to start a window and lost the race counts in the winner, even if it came first.
    const countFrom = lostStartAt !== undefined ? Math.min(start, lostStartAt) : start;
    this.window = {
      id: record.windowId!,
      start,
      end,
      counted: this.history.between(countFrom, end),
      reported: record.tallies?.[this.writerKey] ?? EMPTY_TALLY,
      // Never reported in this window: the first call due reports at once (see reportDue).
      lastReportAt: -Infinity,
    };
  }

  /** The tally a new window starting at `now` begins with: this environment's calls since then (this failure). */
  public startingTally(now: number): Tally {
    return this.history.between(now, now + this.settings.failureWindowMs);
  }

  /** The window being counted, unless it has ended. */
  public activeWindow(now: number): LocalWindow | undefined {
    return this.window && now < this.window.end ? this.window : undefined;
  }

  /** Whether the call that just completed should report the tally (the caller then calls {@link reporting}). */
  public reportDue(now: number, failed: boolean): boolean {
    const w = this.window;
    if (!w || now >= w.end || w.counted.calls <= w.reported.calls) return false;
    if (this.settings.failureCounting === FailureCounting.WINDOW) return failed;
    return now - w.lastReportAt >= this.settings.tallyFlushIntervalMs;
  }

  /** Marks a report of the current tally as sent at `now` and returns what to send. */
  public reporting(now: number): { windowId: string; tally: Tally } {
    const w = this.window!;
    w.lastReportAt = now;
    return { windowId: w.id, tally: w.counted };
  }

  /** The window this environment just started holds its tally as of `now`: that write was its first report. */
  public started(windowId: string, now: number): void {
    if (this.window?.id === windowId) this.window.lastReportAt = now;
  }

  /** The store holds `tally` from this environment in window `windowId`. */
  public reported(windowId: string, tally: Tally): void {
    if (this.window?.id === windowId && tally.calls > this.window.reported.calls) this.window.reported = tally;
  }
}
