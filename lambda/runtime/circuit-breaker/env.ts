/**
 * Environment variables shared by the breaker client, the extension and the health checker. The CircuitBreaker
 * construct sets them on protected functions; constructor options override them.
 */

/** Names of the environment variables the circuit-breaker runtime reads. */
export const CIRCUIT_BREAKER_ENV = {
  /** Name of the circuit table (pk `id`, TTL attribute `expiration`). Required unless `tableName` is passed. */
  TABLE_NAME: 'CIRCUIT_BREAKER_TABLE_NAME',
  /** Comma-separated circuit ids the function uses. The first is the default `circuitId`; the extension pre-warms all. */
  CIRCUIT_IDS: 'CIRCUIT_BREAKER_CIRCUIT_IDS',
  /** Failures that open the circuit (integer ≥ 1). */
  FAILURE_THRESHOLD: 'CIRCUIT_BREAKER_FAILURE_THRESHOLD',
  /** `CONSECUTIVE` or `WINDOW`. */
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
  /** `FAIL_OPEN` (default: run the call when state cannot be read) or `FAIL_CLOSED` (reject it). */
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

/** A process environment (or a stand-in for one in tests). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Splits the comma-separated circuit id list, dropping blanks. */
export function circuitIdsFromEnv(env: Environment): string[] {
  return (env[CIRCUIT_BREAKER_ENV.CIRCUIT_IDS] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
