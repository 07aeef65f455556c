/**
 * Where a guarded call learns the circuit state: an in-process cache, refreshed from the extension's cache over
 * localhost when there is one, else from DynamoDB.
 *
 * Every cached record is stamped with the time its DynamoDB read was *sent* (by this process or by the extension),
 * so a read that was in flight while the environment was frozen is as old as it really is, and a call never acts on
 * state older than `maxAgeMs`. Once an entry is {@link REFRESH_AHEAD_FRACTION} of its max age old, the call that
 * finds it starts a refresh in the background and still uses it: while calls keep coming, none waits for a read.
 * A call waits only for a circuit it has no state of younger than the max age (its first call, or after an idle or
 * frozen spell that long). A read already in flight that the call joins is judged by when it was sent, like any
 * other: one sent before a freeze and answered after it is too old for a call that started after the thaw, which
 * then reads DynamoDB itself. Records this environment wrote are remembered, so its own transitions are visible at
 * once, even while the extension still serves the previous version.
 *
 * A store that fails is remembered too: for {@link CircuitStateSourceProps.failureHoldMs} after a DynamoDB request
 * failed, a call with no usable state fails at once (the breaker then applies its store failure mode) instead of
 * waiting for a store that just hung, and the next call after that retries it.
 */
import { ExtensionStateClient } from './extension-client';
import type { CircuitStore } from './store';
import { CircuitBreakerLogger } from './telemetry';
import { CircuitRecord } from './types';
import { CIRCUIT_BREAKER_DEFAULTS } from '../../../lib/circuit-breaker/contract';

/** How long a record this environment wrote wins over a lower version read later. Bounded, because after a TTL deletion versions legitimately restart at 0. */
export const OWN_WRITE_GUARD_MS = 10_000;

/** Part of the max age after which an entry is refreshed in the background while it is still served. */
export const REFRESH_AHEAD_FRACTION = 0.75;

/** Age from which an entry of a cache with `maxAgeMs` is refreshed ahead of its expiry. */
export function refreshAheadMs(maxAgeMs: number): number {
  return Math.floor(maxAgeMs * REFRESH_AHEAD_FRACTION);
}

/** Dependencies of a {@link CircuitStateSource}. */
export interface CircuitStateSourceProps {
  readonly store: CircuitStore;
  readonly extension?: ExtensionStateClient;
  readonly now: () => number;
  /** Max age of cached state in ms, from the time its read was sent; 0 disables the cache. */
  readonly maxAgeMs: number;
  /** How long a background refresh waits for the extension to refresh its own entry from DynamoDB, ms. */
  readonly backgroundTimeoutMs: number;
  readonly logger: CircuitBreakerLogger;
  /** How long a failed DynamoDB request makes reads fail at once, ms (0: never). */
  readonly failureHoldMs: number;
}

/** Thrown instead of reading a store that failed less than the hold period ago: the breaker treats it like the failure. */
export class StoreRecentlyFailedError extends Error {
  constructor(public readonly failedAt: number, cause: unknown) {
    super(`the circuit store failed at ${new Date(failedAt).toISOString()} (${describeError(cause).message}); not retried before the hold period ends`, { cause });
    this.name = 'StoreRecentlyFailedError';
  }
}

/** A record and where it came from. */
export interface StateRead {
  readonly record: CircuitRecord;
  /** True when this call read it from DynamoDB; false when a cache (in-process or extension) served it. */
  readonly fresh: boolean;
}

/** A record and the time the read (or write) that produced it was sent. */
export interface Stamped {
  readonly record: CircuitRecord;
  readonly stampedAt: number;
}

/** Reads circuit state through the cheapest source that is fresh enough. */
export class CircuitStateSource {
  private readonly known = new Map<string, Stamped>();
  private readonly refreshing = new Map<string, Promise<Stamped>>();
  private readonly scheduled = new Set<string>();
  private readonly failing = new Set<'extension' | 'refresh'>();
  private storeFailure?: { at: number; error: unknown };

  constructor(private readonly props: CircuitStateSourceProps) {}

  /**
   * The current record of `id`, and whether it was just read from DynamoDB (`fresh`) rather than served by a
   * cache. Rejects only when neither the extension nor DynamoDB could answer (or DynamoDB failed moments ago).
   */
  public async read(id: string): Promise<StateRead> {
    const now = this.props.now();
    const known = this.known.get(id);
    const age = known ? now - known.stampedAt : Infinity;
    if (known && age < this.props.maxAgeMs) {
      if (age >= refreshAheadMs(this.props.maxAgeMs)) this.refreshInBackground(id);
      return { record: known.record, fresh: false };
    }
    this.throwIfRecentlyFailed();
    const joined = this.refreshing.has(id);
    const { direct, stampedAt } = await this.refresh(id, false);
    if (joined && !this.usableAt(stampedAt, now)) {
      // A shared read sent before this call could use it (before a freeze, typically): read for this call.
      return { record: await this.readFresh(id), fresh: true };
    }
    // Our own newer write can win over what the refresh returned (see accept).
    return { record: this.known.get(id)!.record, fresh: direct && stampedAt >= now };
  }

  /**
   * Reads `id` straight from DynamoDB. Used before any write decided from cached state, so a stale view costs a
   * read instead of a doomed conditional write (or a wrong rejection after a lost election).
   */
  public async readFresh(id: string): Promise<CircuitRecord> {
    const sentAt = this.props.now();
    const record = await this.storeRequest(() => this.props.store.read(id));
    this.accept({ record, stampedAt: sentAt });
    return record;
  }

  /** Runs one DynamoDB request, remembering whether the store answered (see {@link throwIfRecentlyFailed}). */
  public async storeRequest<T>(request: () => Promise<T>): Promise<T> {
    try {
      const out = await request();
      this.storeFailure = undefined;
      return out;
    } catch (err) {
      if (!isConditionFailure(err)) this.storeFailure = { at: this.props.now(), error: err };
      throw err;
    }
  }

  /** A call's store budget ran out waiting: the store hangs, which is a failure like any other. */
  public storeTimedOut(err: unknown): void {
    this.storeFailure = { at: this.props.now(), error: err };
  }

  /** Throws {@link StoreRecentlyFailedError} while a store failure is younger than the hold period. */
  public throwIfRecentlyFailed(): void {
    const failure = this.storeFailure;
    if (failure && this.props.now() - failure.at < this.props.failureHoldMs) throw new StoreRecentlyFailedError(failure.at, failure.error);
  }

  /**
   * Whether a read this call joined (sent at `stampedAt`, by this process or the extension) is as fresh as one the
   * call would have made itself at `callStart`: younger than the max age, or than the extension's cache max age.
   */
  private usableAt(stampedAt: number, callStart: number): boolean {
    const tolerance = Math.max(this.props.maxAgeMs, this.props.extension ? CIRCUIT_BREAKER_DEFAULTS.extensionCacheMaxAgeMs : 0);
    return tolerance > 0 ? callStart - stampedAt < tolerance : stampedAt >= callStart;
  }

  /** The newest record known of `id`, however old, without I/O. */
  public latest(id: string): CircuitRecord | undefined {
    return this.known.get(id)?.record;
  }

  /** Records a state this environment wrote (or learned from a lost condition) by a request sent at `sentAt`. */
  public remember(record: CircuitRecord, sentAt: number): void {
    this.accept({ record, stampedAt: sentAt });
  }

  /** Drops what is known of `id`, forcing the next read to go to a source. */
  public forget(id: string): void {
    this.known.delete(id);
  }

  /** Settles when no background refresh is running (tests, and handlers that want their reads done before returning). */
  public async idle(): Promise<void> {
    while (this.scheduled.size > 0 || this.refreshing.size > 0) {
      await new Promise((resolve) => setImmediate(resolve));
      await Promise.allSettled([...this.refreshing.values()]);
    }
  }

  /** Starts a refresh once the current call has returned, so not even the work of sending it is the call's. */
  private refreshInBackground(id: string): void {
    if (this.scheduled.has(id) || this.refreshing.has(id)) return;
    this.scheduled.add(id);
    setImmediate(() => {
      this.scheduled.delete(id);
      this.refresh(id, true).then(
        () => this.recovered('refresh'),
        (err) => this.warnOnce('refresh', 'background refresh of circuit state failed; serving cached state until it expires', id, err),
      );
    });
  }

  /**
   * One refresh per circuit at a time; concurrent callers share it. In the background, the extension is asked for
   * state newer than ours (it answers once it has refreshed), so one round trip brings new state.
   */
  private refresh(id: string, background: boolean): Promise<Stamped & { direct: boolean }> {
    const pending = this.refreshing.get(id) as Promise<Stamped & { direct: boolean }> | undefined;
    if (pending) return pending;
    const run = (async () => {
      const known = background ? this.known.get(id) : undefined;
      const fromExtension = await this.readExtension(id, known && { newerThan: known.stampedAt, timeoutMs: this.props.backgroundTimeoutMs });
      if (fromExtension) return { ...this.accept(fromExtension), direct: false };
      const sentAt = this.props.now();
      const record = await this.storeRequest(() => this.props.store.read(id));
      return { ...this.accept({ record, stampedAt: sentAt }), direct: true };
    })().finally(() => this.refreshing.delete(id));
    this.refreshing.set(id, run);
    return run;
  }

  /**
   * Keeps the better of what is known and `incoming`: a higher version, or the same version read later. A lower
   * version loses to a record of ours less than {@link OWN_WRITE_GUARD_MS} older (the extension may not have seen
   * our write yet), and wins after that (the item expired and started again at version 0).
   */
  private accept(incoming: Stamped): Stamped {
    const id = incoming.record.id;
    const known = this.known.get(id);
    const keep = known && (
      known.record.version > incoming.record.version
        ? incoming.stampedAt - known.stampedAt < OWN_WRITE_GUARD_MS
        : known.record.version === incoming.record.version && known.stampedAt > incoming.stampedAt);
    if (keep) return known;
    this.known.set(id, incoming);
    return incoming;
  }

  private async readExtension(id: string, options?: { newerThan: number; timeoutMs: number }): Promise<Stamped | undefined> {
    const extension = this.props.extension;
    if (!extension) return undefined;
    try {
      const answer = await extension.read(id, options);
      this.recovered('extension', 'circuit-breaker extension answers again', id);
      return { record: answer.record, stampedAt: answer.fetchedAt };
    } catch (err) {
      this.warnOnce('extension', 'circuit-breaker extension unavailable; reading DynamoDB directly', id, err, { port: extension.port });
      return undefined;
    }
  }

  /** One line per outage, not per call: a missing layer would otherwise log on every refresh. */
  private warnOnce(what: 'extension' | 'refresh', message: string, circuitId: string, err: unknown, fields: Record<string, unknown> = {}): void {
    if (this.failing.has(what)) return;
    this.failing.add(what);
    this.props.logger.log('WARN', message, { circuitId, ...fields, error: describeError(err) });
  }

  private recovered(what: 'extension' | 'refresh', message?: string, circuitId?: string): void {
    if (!this.failing.delete(what) || !message) return;
    this.props.logger.log('INFO', message, { circuitId });
  }
}

/** A lost condition is an answer from the store, not a failure of it. */
function isConditionFailure(err: unknown): boolean {
  return (err as { name?: string })?.name === 'ConditionalCheckFailedException';
}

/** A loggable summary of any thrown value. */
export function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: typeof err, message: String(err) };
}
