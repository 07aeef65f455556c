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
  /** Failures that open the circuit (integer ≥ 1). */
  FAILURE_THRESHOLD: 'CIRCUIT_BREAKER_FAILURE_THRESHOLD',
  /** One of {@link FailureCounting}. */
  FAILURE_COUNTING: 'CIRCUIT_BREAKER_FAILURE_COUNTING',
  /** Window length for `WINDOW` counting, milliseconds. */
  FAILURE_WINDOW_MS: 'CIRCUIT_BREAKER_FAILURE_WINDOW_MS',
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
  /** Timeout of one DynamoDB request made by the client, milliseconds. */
  STORE_TIMEOUT_MS: 'CIRCUIT_BREAKER_STORE_TIMEOUT_MS',
  /** Max age of the client's in-process state cache, milliseconds (0 disables it). */
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
  /** JSON array `[{ url, circuitId, timeoutMs, expectStatus? }]`. Read by the health checker. */
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

/** How failures are counted while a circuit is CLOSED. */
export enum FailureCounting {
  /** Failures with no success in between, fleet-wide. */
  CONSECUTIVE = 'CONSECUTIVE',
  /** Failures within `failureWindow`, successes in between notwithstanding. */
  WINDOW = 'WINDOW',
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
  failureThreshold: 5,
  failureCounting: FailureCounting.CONSECUTIVE,
  failureWindowMs: 60_000,
  openTimeoutMs: 30_000,
  maxOpenTimeoutMs: 300_000,
  successThreshold: 1,
  callTimeoutMs: 10_000,
  /** The probe lease is the call timeout plus this (or {@link CIRCUIT_BREAKER_DEFAULTS.probeLeaseWithoutCallTimeoutMs}). */
  probeLeaseExtraMs: 5_000,
  probeLeaseWithoutCallTimeoutMs: 30_000,
  storeFailureMode: StoreFailureMode.FAIL_OPEN,
  /** Timeout of one DynamoDB request of the client. */
  storeTimeoutMs: 1_000,
  /** In-process cache max age without the extension (with it, the extension's cache is the only one). */
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
  /** CloudWatch namespaces are 1 to 255 characters. */
  metricsNamespaceMaxLength: 255,
  /** Circuit ids travel in a comma-separated variable and become DynamoDB keys and metric dimensions. */
  circuitIdPattern: /^[A-Za-z0-9_.:-]{1,128}$/,
  /** A health check may take 100 ms to 60 s. */
  healthCheckTimeoutMinMs: 100,
  healthCheckTimeoutMaxMs: 60_000,
} as const;

/** One health check as the construct serializes it into {@link CIRCUIT_BREAKER_ENV.HEALTH_CHECKS}. */
export interface HealthCheckSpec {
  readonly url: string;
  readonly circuitId: string;
  readonly timeoutMs: number;
  readonly expectStatus?: number;
}
