/**
 * The one contract between the CircuitBreaker construct and its runtime (client, extension, health checker):
 * environment variable names, enums, defaults and limits. It imports nothing, so it compiles into both the jsii
 * library and the runtime helpers, and a setting is added in one place.
 */

/** Names of the environment variables the circuit-breaker runtime reads (the construct sets them). */
export const CIRCUIT_BREAKER_ENV = {
  /** Name of the circuit table (pk `id`, TTL attribute `expiration`). Required unless `tableName` is passed. */
  TABLE_NAME: 'CIRCUIT_BREAKER_TABLE_NAME',
  /** Comma-separated circuit ids the function uses. The first is the default `circuitId`; the extension pre-warms all. */
  CIRCUIT_IDS: 'CIRCUIT_BREAKER_CIRCUIT_IDS',
  /** Failures within one window that open the circuit (`WINDOW` counting; integer ≥ 1). */
  FAILURE_THRESHOLD: 'CIRCUIT_BREAKER_FAILURE_THRESHOLD',
  /** One of {@link FailureCounting}. */
  FAILURE_COUNTING: 'CIRCUIT_BREAKER_FAILURE_COUNTING',
  /** Failure rate, in percent of the window's calls, that opens the circuit (`RATE` counting; integer 1 to 100). */
  FAILURE_RATE_THRESHOLD: 'CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD',
  /** Calls a window must hold, fleet-wide, before its failure rate is judged (`RATE` counting; integer ≥ 1). */
  MINIMUM_CALLS: 'CIRCUIT_BREAKER_MINIMUM_CALLS',
  /** Length of a counting window, which starts at the first failure, milliseconds. */
  FAILURE_WINDOW_MS: 'CIRCUIT_BREAKER_FAILURE_WINDOW_MS',
  /** While a window is active, how often an environment reports its calls and failures, milliseconds (`RATE`). */
  TALLY_FLUSH_INTERVAL_MS: 'CIRCUIT_BREAKER_TALLY_FLUSH_INTERVAL_MS',
  /** First open period, milliseconds; doubled after each failed probe. */
  OPEN_TIMEOUT_MS: 'CIRCUIT_BREAKER_OPEN_TIMEOUT_MS',
  /** Cap of the open-period backoff, milliseconds. */
  MAX_OPEN_TIMEOUT_MS: 'CIRCUIT_BREAKER_MAX_OPEN_TIMEOUT_MS',
  /** Successful probes that close a HALF_OPEN circuit. */
  SUCCESS_THRESHOLD: 'CIRCUIT_BREAKER_SUCCESS_THRESHOLD',
  /** Per-call timeout, milliseconds; 0 disables it for ordinary calls (probes are always bounded by the lease). */
  CALL_TIMEOUT_MS: 'CIRCUIT_BREAKER_CALL_TIMEOUT_MS',
  /** Probe lease, milliseconds; must exceed the call timeout. */
  PROBE_LEASE_MS: 'CIRCUIT_BREAKER_PROBE_LEASE_MS',
  /** One of {@link StoreFailureMode}. */
  STORE_FAILURE_MODE: 'CIRCUIT_BREAKER_STORE_FAILURE_MODE',
  /**
   * Budget of the client's DynamoDB requests on a guarded call's path, milliseconds: once before the call (state
   * read, probe election) and once after it (counting, probe result). The default client fits two attempts in it.
   */
  STORE_TIMEOUT_MS: 'CIRCUIT_BREAKER_STORE_TIMEOUT_MS',
  /**
   * Max age of the state a guarded call acts on, milliseconds, counted from when the DynamoDB read was sent
   * (whichever process sent it). The client caches state for this long, also over the extension; 0 disables its cache.
   */
  STATE_MAX_AGE_MS: 'CIRCUIT_BREAKER_STATE_MAX_AGE_MS',
  /** Lifetime of a circuit item after its last write, seconds (DynamoDB TTL). */
  RECORD_TTL_SECONDS: 'CIRCUIT_BREAKER_RECORD_TTL_SECONDS',
  /** CloudWatch namespace of the EMF transition metrics. */
  METRICS_NAMESPACE: 'CIRCUIT_BREAKER_METRICS_NAMESPACE',
  /** Localhost port of the extension's state cache. Set only when the extension layer is attached. */
  EXTENSION_PORT: 'CIRCUIT_BREAKER_EXTENSION_PORT',
  /** How long the client waits for the extension before reading DynamoDB directly, milliseconds. */
  EXTENSION_TIMEOUT_MS: 'CIRCUIT_BREAKER_EXTENSION_TIMEOUT_MS',
  /** Max age of an entry in the extension's cache, milliseconds. Read by the extension. */
  EXTENSION_CACHE_MAX_AGE_MS: 'CIRCUIT_BREAKER_EXTENSION_CACHE_MAX_AGE_MS',
  /** JSON array of {@link HealthCheckSpec}. Read by the health checker. */
  HEALTH_CHECKS: 'CIRCUIT_BREAKER_HEALTH_CHECKS',
} as const;

/** Standard circuit-breaker states: CLOSED lets calls through, OPEN short-circuits them, HALF_OPEN lets one probe through. */
export enum CircuitState {
  /** Calls pass; failures are counted. */
  CLOSED = 'CLOSED',
  /** Calls fail fast until the open period ends. */
  OPEN = 'OPEN',
  /** One elected caller (the lease holder) probes the dependency; everyone else fails fast. */
  HALF_OPEN = 'HALF_OPEN',
}

/**
 * How a CLOSED circuit decides to open. Both count fleet-wide in a window that starts at the first failure and lasts
 * `failureWindow`; while no window is active (nothing failed lately) nothing is written.
 */
export enum FailureCounting {
  /**
   * The window's failure rate reaches `failureRateThreshold` percent once it holds at least `minimumCalls` calls
   * (the rule of resilience4j, Polly's advanced circuit breaker and Envoy's outlier detection).
   */
  RATE = 'RATE',
  /** `failureThreshold` failures within the window, however many calls succeeded. */
  WINDOW = 'WINDOW',
}

/**
 * The counting used when none is given: `WINDOW` when a failure threshold (a number of failures) was given, else
 * `RATE`. The construct and the runtime both apply it, so they agree on what a deployment counts.
 */
export function defaultFailureCounting(failureThresholdGiven: boolean): FailureCounting {
  return failureThresholdGiven ? FailureCounting.WINDOW : FailureCounting.RATE;
}

/** What a guarded call does when the circuit state cannot be read (store unreachable, throttled, misconfigured). */
export enum StoreFailureMode {
  /** Run the call unguarded and log: the breaker must not become the outage. */
  FAIL_OPEN = 'FAIL_OPEN',
  /** Reject the call with a `CircuitOpenError` (reason `STORE_UNAVAILABLE`), or run the fallback. */
  FAIL_CLOSED = 'FAIL_CLOSED',
}

/** Defaults the runtime applies when a setting is absent; the construct documents and validates against the same. */
export const CIRCUIT_BREAKER_DEFAULTS = {
  /** Failures per window that open a circuit under `WINDOW` counting. */
  failureThreshold: 5,
  /** Percent of a window's calls. */
  failureRateThreshold: 50,
  /** Calls a window needs before its rate counts. */
  minimumCalls: 20,
  /** Polly's default sampling duration. */
  failureWindowMs: 30_000,
  /** Each environment reports its window tally at most this often (RATE), and once a failure starts a window. */
  tallyFlushIntervalMs: 1_000,
  openTimeoutMs: 30_000,
  maxOpenTimeoutMs: 300_000,
  successThreshold: 1,
  callTimeoutMs: 10_000,
  /** The probe lease is the call timeout plus this (or {@link CIRCUIT_BREAKER_DEFAULTS.probeLeaseWithoutCallTimeoutMs}). */
  probeLeaseExtraMs: 5_000,
  probeLeaseWithoutCallTimeoutMs: 30_000,
  storeFailureMode: StoreFailureMode.FAIL_OPEN,
  /** Store budget of a guarded call, before it and again after it (see {@link CIRCUIT_BREAKER_ENV.STORE_TIMEOUT_MS}). */
  storeTimeoutMs: 1_000,
  /** After a store request failed, calls do not wait for the store again for this long (or the state max age if longer). */
  storeFailureHoldMs: 1_000,
  /** Max age of the state a call acts on, with or without the extension. */
  stateMaxAgeMs: 1_000,
  /** A circuit item expires this long after its last write. */
  recordTtlSeconds: 86_400,
  metricsNamespace: 'ServerlessPatterns/CircuitBreaker',
  /** Port of the extension's localhost state server. */
  extensionPort: 4243,
  extensionTimeoutMs: 100,
  extensionCacheMaxAgeMs: 1_000,
  /** How long one health check may take. */
  healthCheckTimeoutMs: 3_000,
} as const;

/** Limits the runtime enforces on the values it reads, which synth-time validation applies too. */
export const CIRCUIT_BREAKER_LIMITS = {
  /** Integers are parsed from the environment and must be safe integers. */
  maxInteger: Number.MAX_SAFE_INTEGER,
  /** A failure rate threshold is a whole percentage from 1 to 100. */
  failureRateMinPercent: 1,
  failureRateMaxPercent: 100,
  /** CloudWatch namespaces are 1 to 255 characters. */
  metricsNamespaceMaxLength: 255,
  /** Circuit ids travel in a comma-separated variable and become DynamoDB keys and metric dimensions. */
  circuitIdPattern: /^[A-Za-z0-9_.:-]{1,128}$/,
  /** A health check may take 100 ms to 60 s. */
  healthCheckTimeoutMinMs: 100,
  healthCheckTimeoutMaxMs: 60_000,
} as const;

/** One health check as the construct serializes it into {@link CIRCUIT_BREAKER_ENV.HEALTH_CHECKS} and the checker reads it. */
export interface HealthCheckSpec {
  /** http(s) URL requested with GET. */
  readonly url: string;
  /** Circuit the result is fed into. */
  readonly circuitId: string;
  /** The whole response (headers and body) must arrive within this many milliseconds, or the check fails. */
  readonly timeoutMs: number;
  /** Status that means healthy; any 2xx when absent. */
  readonly expectStatus?: number;
}

/** The circuit table's key and TTL attribute: the table the construct creates and the items the runtime writes. */
export const CIRCUIT_TABLE = {
  partitionKey: 'id',
  timeToLiveAttribute: 'expiration',
} as const;

/** Names of the embedded-metric-format metrics the runtime emits and the construct alarms on. */
export enum CircuitMetric {
  /** CLOSED → OPEN, or a failed probe sending HALF_OPEN → OPEN. Emitted once per transition, fleet-wide. */
  OPENED = 'CircuitOpened',
  /** OPEN → HALF_OPEN: a prober was elected. */
  HALF_OPENED = 'CircuitHalfOpened',
  /** HALF_OPEN → CLOSED. */
  CLOSED = 'CircuitClosed',
  /** A request to the circuit table failed (unreachable, throttled, timed out): the breaker could not read or count. */
  STORE_UNAVAILABLE = 'StoreUnavailable',
}

/**
 * Dimension carrying the circuit id. Every metric is also emitted without dimensions, so one alarm can watch all
 * circuits of a namespace.
 */
export const CIRCUIT_ID_DIMENSION = 'CircuitId';

/**
 * The least time a protected function needs beyond its guarded call: the store budget before the call and the
 * one after it (see {@link CIRCUIT_BREAKER_ENV.STORE_TIMEOUT_MS}), so Lambda never ends the invocation before a
 * failure is counted.
 */
export function callPathStoreBudgetMs(storeTimeoutMs: number = CIRCUIT_BREAKER_DEFAULTS.storeTimeoutMs): number {
  return 2 * storeTimeoutMs;
}

/** The settings that belong to one counting rule: given with the other rule they would be ignored, so both sides refuse them. */
export const COUNTING_RULE_OF_SETTING = {
  failureThreshold: FailureCounting.WINDOW,
  failureRateThreshold: FailureCounting.RATE,
  minimumCalls: FailureCounting.RATE,
} as const;
