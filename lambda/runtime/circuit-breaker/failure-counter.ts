/**
 * The writes of counting (see counting.ts for the rules): a failure while no window is active starts one; while
 * one is active this environment reports its tally when due; a report whose result crosses the threshold opens the
 * circuit. Nothing is written while no window is active and calls succeed.
 */
import { CircuitTally, CountingSettings, thresholdReached } from './counting';
import type { CircuitStateSource } from './state-source';
import type { CircuitStore, WindowSettings, WriteOutcome } from './store';
import type { TransitionSettings } from './transitions';
import { CircuitRecord, CircuitState, windowTotals } from './types';

/** Dependencies of a {@link FailureCounter}. */
export interface FailureCounterProps {
  readonly store: CircuitStore;
  readonly source: CircuitStateSource;
  readonly now: () => number;
  readonly settings: CountingSettings & WindowSettings & TransitionSettings;
  /** This environment's key in the item's `tallies` map. */
  readonly writerKey: string;
  /** A token no other write carries. */
  readonly nextToken: () => string;
  /** Called once when this environment's write opened a circuit (it claims the announcement). */
  readonly opened: (record: CircuitRecord) => Promise<void>;
}

/** Counts the calls of CLOSED circuits for one environment. */
export class FailureCounter {
  private readonly tallies = new Map<string, CircuitTally>();

  constructor(private readonly props: FailureCounterProps) {}

  /** Records the outcome of a call the CLOSED circuit `id` let through, writing what counting requires. */
  public async record(id: string, failed: boolean): Promise<void> {
    const { now, source } = this.props;
    const tally = this.tallyOf(id);
    const at = now();
    tally.record(at, failed);
    const latest = source.latest(id);
    if (latest) tally.learn(latest, at);
    if (tally.activeWindow(at)) {
      if (!tally.reportDue(at, failed)) return;
      // A store that failed a moment ago is not written to again yet; the tally is reported by a later call.
      source.throwIfRecentlyFailed();
      await this.report(id, tally);
      // The report found its window gone (the circuit opened and closed again meanwhile): this failure starts the next.
      if (!failed || tally.activeWindow(at) || this.props.source.latest(id)?.state !== CircuitState.CLOSED) return;
    }
    if (failed) {
      source.throwIfRecentlyFailed();
      await this.startWindow(id, tally, at);
    }
  }

  /** This environment's tally of `id` (tests and benchmarks look at it). */
  public tallyOf(id: string): CircuitTally {
    let tally = this.tallies.get(id);
    if (!tally) {
      tally = new CircuitTally(this.props.writerKey, this.props.settings);
      this.tallies.set(id, tally);
    }
    return tally;
  }

  private async startWindow(id: string, tally: CircuitTally, at: number): Promise<void> {
    const { store, writerKey, settings } = this.props;
    const out = await this.props.source.storeRequest(
      () => store.startWindow(id, at, this.props.nextToken(), writerKey, tally.startingTally(at), settings),
    );
    const record = this.learn(id, tally, out, at, out.written ? undefined : at);
    if (out.written) {
      tally.started(record!.windowId!, at);
      await this.openIfReached(record!);
    } else if (record && tally.reportDue(this.props.now(), true)) {
      // WINDOW counting: someone else started the window; this failure is reported into it at once.
      await this.report(id, tally);
    }
  }

  private async report(id: string, tally: CircuitTally): Promise<void> {
    const { store, writerKey, settings, now } = this.props;
    const sentAt = now();
    const { windowId, tally: counted } = tally.reporting(sentAt);
    const out = await this.props.source.storeRequest(() => store.reportTally(id, windowId, sentAt, writerKey, counted, settings));
    if (out.written) tally.reported(windowId, counted);
    const record = this.learn(id, tally, out, sentAt);
    if (out.written) await this.openIfReached(record!);
  }

  /** Remembers what a write returned and learns the window it shows. */
  private learn(id: string, tally: CircuitTally, out: WriteOutcome, sentAt: number, lostStartAt?: number): CircuitRecord | undefined {
    const record = out.written ? out.record : out.current;
    if (!record) {
      this.props.source.forget(id);
      return undefined;
    }
    this.props.source.remember(record, sentAt);
    tally.learn(record, this.props.now(), lostStartAt);
    return record;
  }

  private async openIfReached(record: CircuitRecord): Promise<void> {
    const { store, source, settings, now } = this.props;
    if (record.state !== CircuitState.CLOSED || record.windowId === undefined || !thresholdReached(windowTotals(record), settings)) return;
    const sentAt = now();
    // Conditional on the window, not the version: reports landing meanwhile do not undo a threshold once reached.
    const out = await source.storeRequest(() => store.openWindow(record.id, record.windowId!, sentAt, this.props.nextToken(), settings));
    if (out.written) {
      source.remember(out.record, sentAt);
      await this.props.opened(out.record);
    } else if (out.current) {
      source.remember(out.current, sentAt);
    }
  }
}
