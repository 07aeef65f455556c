/**
 * The circuit-breaker client a Lambda function uses to guard calls to a dependency. State is shared by every
 * execution environment through one DynamoDB item per circuit:
 *
 * - CLOSED: the call runs. While nothing fails nothing is written. A failure starts a counting window; while it
 *   runs, environments report their calls and failures, and the circuit opens when the window's fleet-wide failure
 *   rate (or count) reaches the threshold (see counting.ts).
 * - OPEN: the call fails fast (CircuitOpenError, or the fallback) until `openUntil`. Then every caller may try a
 *   conditional put to HALF_OPEN with itself as probe-lease holder; DynamoDB lets exactly one of them win.
 * - HALF_OPEN: only the lease holder's call runs. Its success (× successThreshold) closes the circuit, its failure
 *   reopens it with a doubled open period (capped). A lease that expires (crashed prober) can be taken over.
 *
 * The store requests of one call have a budget (`storeTimeoutMs`) before the guarded function runs and another
 * after it, so a call never takes longer than `callTimeoutMs` plus two budgets, whatever the store does. Each state
 * change emits its metric once, fleet-wide: its writer claims the announcement with a conditional write, and when
 * the writer never learned that it won (its answers were lost), the first environment that reads the transition
 * later claims it.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CircuitBreakerConfig, CircuitBreakerSettings, resolveCircuitBreakerConfig, StoreFailureMode } from './config';
import type { LocalWindow } from './counting';
import { Environment } from './env';
import { CircuitBreakerConfigError, CircuitOpenError, CircuitRejectionReason, defaultIsFailure } from './errors';
import { ExtensionStateClient } from './extension-client';
import { FailureCounter } from './failure-counter';
import { GuardedFunction, runWithDeadline } from './guarded-call';
import { CircuitStateSource, describeError, StateRead, StoreRecentlyFailedError } from './state-source';
import { CircuitStore, defaultDynamoDbClient } from './store';
import { StoreBudget, StoreBudgetExceededError } from './store-budget';
import {
  CircuitBreakerLogger, CircuitMetric, emfDocument, jsonLineLogger, metricForTransition, MetricSink, stdoutMetricSink,
} from './telemetry';
import { acquireProbe, Admission, admission, probeFailed, probeSucceeded } from './transitions';
import { announcementDue, CircuitRecord, CircuitState } from './types';
import { CIRCUIT_BREAKER_DEFAULTS } from '../../../lib/circuit-breaker/contract';

/** Source of the current time in epoch milliseconds; inject one to move time in tests. */
export interface Clock {
  /** Current time, epoch milliseconds. */
  now(): number;
}

/** The system clock. */
export const systemClock: Clock = { now: () => Date.now() };

/** Options of a {@link CircuitBreaker}: settings (see `CircuitBreakerSettings`) plus injectable collaborators. */
export interface CircuitBreakerOptions extends CircuitBreakerSettings {
  /** DynamoDB client. @default - `defaultDynamoDbClient(storeTimeoutMs)`: 2 attempts, connection and request timeouts */
  readonly dynamoDbClient?: DynamoDBClient;
  /** Time source. @default systemClock */
  readonly clock?: Clock;
  /** Whether an error thrown by the guarded function counts against the dependency. @default defaultIsFailure */
  readonly isFailure?: (err: unknown) => boolean;
  /** Structured log output. @default jsonLineLogger */
  readonly logger?: CircuitBreakerLogger;
  /** EMF output. @default stdoutMetricSink */
  readonly metricSink?: MetricSink;
  /** Identity of this execution environment as probe-lease owner. @default - a random UUID */
  readonly instanceId?: string;
  /** Environment to read settings from. @default process.env */
  readonly env?: Environment;
}

/** Per-call options. */
export interface CallOptions<T> {
  /** Circuit (dependency) guarding this call. @default - the breaker's default circuit id */
  readonly circuitId?: string;
  /** Produces the result when the breaker refuses the call; without it the `CircuitOpenError` is thrown. */
  readonly fallback?: (rejection: CircuitOpenError) => T | Promise<T>;
  /** Timeout of this call, ms (0: none; probes stay bounded by their lease). @default - the breaker's callTimeoutMs */
  readonly callTimeoutMs?: number;
}

/** Guards calls to dependencies with circuits shared across execution environments. Create one per environment. */
export class CircuitBreaker {
  /** The resolved settings. */
  public readonly config: CircuitBreakerConfig;
  /** This environment's identity as probe-lease owner. */
  public readonly instanceId: string;
  /** This environment's key in a circuit's tallies; with a counter, it makes every write's token unique. */
  public readonly writerKey: string;
  private readonly store: CircuitStore;
  private readonly source: CircuitStateSource;
  private readonly counter: FailureCounter;
  private writes = 0;
  private readonly extension?: ExtensionStateClient;
  private readonly clock: Clock;
  private readonly isFailure: (err: unknown) => boolean;
  private readonly logger: CircuitBreakerLogger;
  private readonly metricSink: MetricSink;
  private readonly ownsClient: boolean;
  /** Announcement claims in flight, by transition token. */
  private readonly claims = new Map<string, Promise<void>>();

  constructor(options: CircuitBreakerOptions = {}) {
    this.config = resolveCircuitBreakerConfig(options, options.env ?? process.env);
    this.instanceId = options.instanceId ?? randomUUID();
    this.clock = options.clock ?? systemClock;
    this.isFailure = options.isFailure ?? defaultIsFailure;
    this.logger = options.logger ?? jsonLineLogger;
    this.metricSink = options.metricSink ?? stdoutMetricSink;
    this.ownsClient = options.dynamoDbClient === undefined;
    const client = options.dynamoDbClient ?? defaultDynamoDbClient(this.config.storeTimeoutMs);
    this.store = new CircuitStore(client, this.config.tableName);
    if (this.config.extensionPort !== undefined) {
      this.extension = new ExtensionStateClient(this.config.extensionPort, this.config.extensionTimeoutMs);
    }
    this.source = new CircuitStateSource({
      store: this.store,
      extension: this.extension,
      now: () => this.clock.now(),
      maxAgeMs: this.config.stateMaxAgeMs,
      // The extension's own DynamoDB read is bounded by the same store timeout.
      backgroundTimeoutMs: this.config.extensionTimeoutMs + this.config.storeTimeoutMs,
      logger: this.logger,
      // A store that just failed (or hung through a whole budget) is not waited for again before this has passed.
      failureHoldMs: Math.max(this.config.stateMaxAgeMs, CIRCUIT_BREAKER_DEFAULTS.storeFailureHoldMs),
    });
    this.writerKey = randomBytes(6).toString('base64url');
    this.counter = new FailureCounter({
      store: this.store,
      source: this.source,
      now: () => this.clock.now(),
      settings: this.config,
      writerKey: this.writerKey,
      nextToken: () => this.nextToken(),
      opened: (record) => this.claimAnnouncement(record),
    });
  }

  /**
   * Runs `fn` if the circuit admits it and records the outcome. Rejections throw {@link CircuitOpenError} or return
   * the fallback's result; errors of `fn` are rethrown unchanged (after being counted when they are failures).
   */
  public async call<T>(fn: GuardedFunction<T>, options: CallOptions<T> = {}): Promise<T> {
    const circuitId = this.circuitIdOf(options.circuitId);
    const budget = new StoreBudget(this.config.storeTimeoutMs);
    let read: StateRead;
    let admitted: Admission;
    try {
      read = await this.stored(budget, 'read', () => this.source.read(circuitId));
      admitted = admission(read.record, this.clock.now());
      if (admitted.kind === 'elect' && !read.fresh) {
        // Only stand for election on current state: a cached OPEN may have closed (or been taken) meanwhile.
        read = { record: await this.stored(budget, 'read', () => this.source.readFresh(circuitId)), fresh: true };
        admitted = admission(read.record, this.clock.now());
      }
    } catch (err) {
      return this.storeUnavailable(circuitId, 'read', err, fn, options);
    }
    const record = read.record;
    // Fire and forget: the claim handles its own failure (storeFailed), and the call must not wait for it.
    if (admitted.kind !== 'elect') void this.claimLateAnnouncement(record);
    switch (admitted.kind) {
      case 'pass':
        return this.runClosed(read, fn, options);
      case 'elect':
        return this.runElection(record, budget, fn, options);
      case 'reject': {
        const reason = admitted.state === CircuitState.OPEN ? CircuitRejectionReason.OPEN : CircuitRejectionReason.PROBE_IN_PROGRESS;
        return this.reject(new CircuitOpenError(circuitId, reason, admitted.state, admitted.retryAt), options);
      }
    }
  }

  /** `fn` wrapped so every call goes through {@link call}. */
  public protect<A extends unknown[], T>(fn: (...args: A) => Promise<T>, options: CallOptions<T> = {}): (...args: A) => Promise<T> {
    return (...args: A) => this.call(() => fn(...args), options);
  }

  /** The circuit's record read straight from DynamoDB (no cache): for diagnostics and tests. */
  public async readState(circuitId?: string): Promise<CircuitRecord> {
    return this.store.read(this.circuitIdOf(circuitId));
  }

  /**
   * The counting window this environment counts in for the circuit (if one is active), with what it counted and
   * what the table holds from it: for diagnostics and tests.
   */
  public countingWindow(circuitId?: string): LocalWindow | undefined {
    return this.counter.tallyOf(this.circuitIdOf(circuitId)).activeWindow(this.clock.now());
  }

  /** Settles when no background state refresh is running (tests; a handler that wants them done before it returns). */
  public async idle(): Promise<void> {
    await this.source.idle();
    while (this.claims.size > 0) await Promise.allSettled([...this.claims.values()]);
  }

  /** Releases sockets the breaker opened itself (a client passed in is left to its owner). */
  public close(): void {
    this.extension?.close();
    if (this.ownsClient) this.store.client.destroy();
  }

  private async runClosed<T>(read: StateRead, fn: GuardedFunction<T>, options: CallOptions<T>): Promise<T> {
    const id = read.record.id;
    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await runWithDeadline(fn, id, false, options.callTimeoutMs ?? this.config.callTimeoutMs) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    // A caller error proves the dependency answered: it counts as a call that did not fail.
    const failed = !outcome.ok && this.isFailure(outcome.error);
    await this.bestEffort(id, failed ? 'count failure' : 'count call', () => this.counter.record(id, failed));
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  private async runElection<T>(seen: CircuitRecord, budget: StoreBudget, fn: GuardedFunction<T>, options: CallOptions<T>): Promise<T> {
    const electedAt = this.clock.now();
    const leased = acquireProbe(seen, electedAt, this.instanceId, this.config, this.nextToken());
    let won: boolean;
    try {
      // The election replaces the transition it ends: if nobody announced that one yet, it is claimed first.
      const late = this.claimLateAnnouncement(seen);
      if (late) await this.stored(budget, 'announce transition', () => late);
      won = await this.stored(budget, 'elect prober', () => this.transition(seen, leased));
    } catch (err) {
      return this.storeUnavailable(seen.id, 'elect prober', err, fn, options);
    }
    if (!won) {
      return this.reject(new CircuitOpenError(seen.id, CircuitRejectionReason.PROBE_ELECTION_LOST, seen.state), options);
    }
    if (seen.state === CircuitState.HALF_OPEN && seen.probeOwner !== undefined) {
      this.logger.log('WARN', 'probe lease expired without a result; taking over the probe', {
        circuitId: seen.id, previousOwner: seen.probeOwner, leaseEndedAt: seen.probeLeaseUntil,
      });
    }
    // The probe must end before its lease does, or a second prober could start while it still runs.
    const leaseLeft = Math.max(1, (leased.probeLeaseUntil ?? electedAt) - this.clock.now());
    const requested = options.callTimeoutMs ?? this.config.callTimeoutMs;
    const timeoutMs = requested > 0 ? Math.min(requested, leaseLeft) : leaseLeft;

    let outcome: { ok: true; value: T } | { ok: false; error: unknown };
    try {
      outcome = { ok: true, value: await runWithDeadline(fn, seen.id, true, timeoutMs) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    // A caller error proves the dependency answered, so it counts as a successful probe.
    const failed = !outcome.ok && this.isFailure(outcome.error);
    const now = this.clock.now();
    const token = this.nextToken();
    await this.bestEffort(seen.id, 'record probe result', () =>
      this.transition(leased, failed ? probeFailed(leased, now, this.config, token) : probeSucceeded(leased, now, this.config, token)));
    if (!outcome.ok) throw outcome.error;
    return outcome.value;
  }

  /** Persists `next` if the item is still at `seen.version`; true when this caller won. Store errors propagate. */
  private async transition(seen: CircuitRecord, next: CircuitRecord): Promise<boolean> {
    const sentAt = this.clock.now();
    const out = await this.source.storeRequest(() => this.store.replace(seen, next));
    if (!out.written) {
      if (out.current) this.source.remember(out.current, sentAt);
      else this.source.forget(seen.id);
      return false;
    }
    // When a retry found our own committed write, the item may have moved on: remember what it is now.
    this.source.remember(out.record, sentAt);
    if (announcementDue(next)) await this.claimAnnouncement(next);
    return true;
  }

  /**
   * Claims the announcement of the state change `record` shows and, if this environment wins the claim (one
   * conditional write, so one claimer fleet-wide), emits its metric and log line. Never rejects.
   */
  private claimAnnouncement(record: CircuitRecord): Promise<void> {
    const token = record.transitionToken!;
    const pending = this.claims.get(token);
    if (pending) return pending;
    const sentAt = this.clock.now();
    const claim = this.source.storeRequest(() => this.store.claimAnnouncement(record.id, token, this.nextToken())).then((out) => {
      if (out.written) {
        this.source.remember(out.record, sentAt);
        this.announce(record);
      } else if (out.current) {
        this.source.remember(out.current, sentAt);
      }
    }, (err: unknown) => {
      this.storeFailed(record.id, 'announce transition', err);
    }).finally(() => this.claims.delete(token));
    this.claims.set(token, claim);
    return claim;
  }

  /**
   * A state change nobody announced (its writer lost every answer, or froze before claiming) for longer than its
   * writer needs to claim it (one store budget) is claimed by whoever reads it. In the background: the claim is
   * not the call's business. Returns the claim when one was started.
   */
  private claimLateAnnouncement(record: CircuitRecord): Promise<void> | undefined {
    if (!announcementDue(record)) return undefined;
    if (this.clock.now() - (record.updatedAt ?? 0) < this.config.storeTimeoutMs) return undefined;
    return this.claimAnnouncement(record);
  }

  /** The metric and log line of the state change `record` shows (stamped with the time of the change). */
  private announce(record: CircuitRecord): void {
    const from = record.transitionFrom!;
    const to = record.state;
    const at = record.updatedAt ?? this.clock.now();
    this.metricSink(emfDocument(this.config.metricsNamespace, metricForTransition(to), record.id, at, { fromState: from }));
    this.logger.log(to === CircuitState.OPEN ? 'WARN' : 'INFO', `circuit ${record.id} ${from} -> ${to}`, {
      circuitId: record.id,
      from,
      to,
      openUntil: record.openUntil,
      consecutiveOpenings: record.consecutiveOpenings,
      instanceId: this.instanceId,
    });
  }

  /** Runs store work within what is left of the call's store budget; running out counts as a store failure. */
  private async stored<T>(budget: StoreBudget, operation: string, work: () => Promise<T>): Promise<T> {
    try {
      return await budget.run(operation, work);
    } catch (err) {
      if (err instanceof StoreBudgetExceededError) this.source.storeTimedOut(err);
      throw err;
    }
  }

  /** A token no other write carries: this environment's writer key and a counter. */
  private nextToken(): string {
    return `${this.writerKey}.${++this.writes}`;
  }

  private async storeUnavailable<T>(circuitId: string, operation: string, err: unknown, fn: GuardedFunction<T>, options: CallOptions<T>): Promise<T> {
    const failOpen = this.config.storeFailureMode === StoreFailureMode.FAIL_OPEN;
    this.logger.log('WARN', `circuit state store unavailable; failing ${failOpen ? 'open' : 'closed'}`, {
      circuitId, operation, storeFailureMode: this.config.storeFailureMode, error: describeError(err),
    });
    this.countStoreFailure(circuitId, operation, err);
    if (!failOpen) return this.reject(new CircuitOpenError(circuitId, CircuitRejectionReason.STORE_UNAVAILABLE), options);
    // Unguarded, and its outcome is not recorded: the store that would record it is the thing that is down.
    return runWithDeadline(fn, circuitId, false, options.callTimeoutMs ?? this.config.callTimeoutMs);
  }

  private async reject<T>(rejection: CircuitOpenError, options: CallOptions<T>): Promise<T> {
    if (options.fallback) return options.fallback(rejection);
    throw rejection;
  }

  /**
   * Bookkeeping writes must never turn a call's result into a store error, nor hold the call past its budget after
   * the guarded function: log, count the store failure, and carry on. A write cut off by the budget still completes
   * in the background (tallies are absolute, so a late one counts nothing twice).
   */
  private async bestEffort(circuitId: string, operation: string, work: () => Promise<unknown>): Promise<void> {
    const budget = new StoreBudget(this.config.storeTimeoutMs);
    try {
      await this.stored(budget, operation, work);
    } catch (err) {
      this.storeFailed(circuitId, operation, err);
    }
  }

  private storeFailed(circuitId: string, operation: string, err: unknown): void {
    // Skipped because the store failed a moment ago: that failure was logged and counted.
    if (err instanceof StoreRecentlyFailedError) return;
    this.logger.log('WARN', `circuit state store unavailable; could not ${operation}`, { circuitId, operation, error: describeError(err) });
    this.countStoreFailure(circuitId, operation, err);
  }

  /** The StoreUnavailable metric: one per store operation that failed (not per call skipped while it is down). */
  private countStoreFailure(circuitId: string, operation: string, err: unknown): void {
    if (err instanceof StoreRecentlyFailedError) return;
    this.metricSink(emfDocument(this.config.metricsNamespace, CircuitMetric.STORE_UNAVAILABLE, circuitId, this.clock.now(), {
      operation, error: describeError(err).name,
    }));
  }

  private circuitIdOf(given: string | undefined): string {
    const id = given ?? this.config.defaultCircuitId;
    if (!id) {
      throw new CircuitBreakerConfigError('no circuit id: pass circuitId to call() or set CIRCUIT_BREAKER_CIRCUIT_IDS (or the circuitId option)');
    }
    return id;
  }
}
