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
import { CircuitStateSource, describeError, StateRead } from './state-source';
import { CircuitStore, defaultDynamoDbClient } from './store';
import { CircuitBreakerLogger, emfDocument, jsonLineLogger, metricForTransition, MetricSink, stdoutMetricSink } from './telemetry';
import { acquireProbe, Admission, admission, probeFailed, probeSucceeded } from './transitions';
import { CircuitRecord, CircuitState } from './types';

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
    });
    this.writerKey = randomBytes(6).toString('base64url');
    this.counter = new FailureCounter({
      store: this.store,
      source: this.source,
      now: () => this.clock.now(),
      settings: this.config,
      writerKey: this.writerKey,
      nextToken: () => this.nextToken(),
      opened: (record) => this.announce(CircuitState.CLOSED, CircuitState.OPEN, record),
    });
  }

  /**
   * Runs `fn` if the circuit admits it and records the outcome. Rejections throw {@link CircuitOpenError} or return
   * the fallback's result; errors of `fn` are rethrown unchanged (after being counted when they are failures).
   */
  public async call<T>(fn: GuardedFunction<T>, options: CallOptions<T> = {}): Promise<T> {
    const circuitId = this.circuitIdOf(options.circuitId);
    let read: StateRead;
    let admitted: Admission;
    try {
      read = await this.source.read(circuitId);
      admitted = admission(read.record, this.clock.now());
      if (admitted.kind === 'elect' && !read.fresh) {
        // Only stand for election on current state: a cached OPEN may have closed (or been taken) meanwhile.
        read = { record: await this.source.readFresh(circuitId), fresh: true };
        admitted = admission(read.record, this.clock.now());
      }
    } catch (err) {
      return this.storeUnavailable(circuitId, 'read', err, fn, options);
    }
    const record = read.record;
    switch (admitted.kind) {
      case 'pass':
        return this.runClosed(read, fn, options);
      case 'elect':
        return this.runElection(record, fn, options);
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

  private async runElection<T>(seen: CircuitRecord, fn: GuardedFunction<T>, options: CallOptions<T>): Promise<T> {
    const electedAt = this.clock.now();
    const leased = acquireProbe(seen, electedAt, this.instanceId, this.config, this.nextToken());
    let won: boolean;
    try {
      won = await this.transition(seen, leased);
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
    const out = await this.store.replace(seen, next);
    if (!out.written) {
      if (out.current) this.source.remember(out.current, sentAt);
      else this.source.forget(seen.id);
      return false;
    }
    // When a retry found our own committed write, the item may have moved on: remember what it is now.
    this.source.remember(out.record, sentAt);
    if (seen.state !== next.state) this.announce(seen.state, next.state, next);
    return true;
  }

  /** The metric and log line of a transition from `from` to `to` this environment wrote (`record`: as written). */
  private announce(from: CircuitState, to: CircuitState, record: CircuitRecord): void {
    const at = this.clock.now();
    this.metricSink(emfDocument(this.config.metricsNamespace, metricForTransition(to), record.id, at, from));
    this.logger.log(to === CircuitState.OPEN ? 'WARN' : 'INFO', `circuit ${record.id} ${from} -> ${to}`, {
      circuitId: record.id,
      from,
      to,
      openUntil: record.openUntil,
      consecutiveOpenings: record.consecutiveOpenings,
      instanceId: this.instanceId,
    });
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
    if (!failOpen) return this.reject(new CircuitOpenError(circuitId, CircuitRejectionReason.STORE_UNAVAILABLE), options);
    // Unguarded, and its outcome is not recorded: the store that would record it is the thing that is down.
    return runWithDeadline(fn, circuitId, false, options.callTimeoutMs ?? this.config.callTimeoutMs);
  }

  private async reject<T>(rejection: CircuitOpenError, options: CallOptions<T>): Promise<T> {
    if (options.fallback) return options.fallback(rejection);
    throw rejection;
  }

  /** Bookkeeping writes must never turn a call's result into a store error: log and carry on. */
  private async bestEffort(circuitId: string, operation: string, work: () => Promise<unknown>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.logger.log('WARN', `circuit state store unavailable; could not ${operation}`, { circuitId, operation, error: describeError(err) });
    }
  }

  private circuitIdOf(given: string | undefined): string {
    const id = given ?? this.config.defaultCircuitId;
    if (!id) {
      throw new CircuitBreakerConfigError('no circuit id: pass circuitId to call() or set CIRCUIT_BREAKER_CIRCUIT_IDS (or the circuitId option)');
    }
    return id;
  }
}
