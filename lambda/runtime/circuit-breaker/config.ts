/**
 * Breaker settings: constructor options first, then the environment the construct sets, then defaults. Bad values
 * throw at construction, so a misconfigured deployment fails on its first cold start instead of guarding nothing.
 */
import { CIRCUIT_BREAKER_ENV, circuitIdsFromEnv, Environment } from './env';
import { CircuitBreakerConfigError } from './errors';
import {
  CIRCUIT_BREAKER_DEFAULTS as D,
  CIRCUIT_BREAKER_LIMITS,
  FailureCounting,
  StoreFailureMode,
} from '../../../lib/circuit-breaker/contract';

export { StoreFailureMode } from '../../../lib/circuit-breaker/contract';

/** Tunable settings of a breaker. Every field also has an environment variable (see `CIRCUIT_BREAKER_ENV`). */
export interface CircuitBreakerSettings {
  /** Circuit table name. @default - `CIRCUIT_BREAKER_TABLE_NAME`; required */
  readonly tableName?: string;
  /** Circuit used when a call names none. @default - first id of `CIRCUIT_BREAKER_CIRCUIT_IDS` */
  readonly circuitId?: string;
  /** Failures that open the circuit. @default 5 */
  readonly failureThreshold?: number;
  /** How failures are counted while CLOSED. @default FailureCounting.CONSECUTIVE */
  readonly failureCounting?: FailureCounting;
  /** Window for `FailureCounting.WINDOW`, ms. @default 60000 */
  readonly failureWindowMs?: number;
  /** First open period, ms. @default 30000 */
  readonly openTimeoutMs?: number;
  /** Cap of the open period after repeated failed probes (`openTimeoutMs × 2^n`), ms. @default 300000 */
  readonly maxOpenTimeoutMs?: number;
  /** Successful probes needed to close. @default 1 */
  readonly successThreshold?: number;
  /** Per-call timeout, ms; 0 disables it for ordinary calls. @default 10000 */
  readonly callTimeoutMs?: number;
  /** Probe lease, ms; must exceed `callTimeoutMs`. @default - callTimeoutMs + 5000, or 30000 without a call timeout */
  readonly probeLeaseMs?: number;
  /** Behaviour when the state store cannot be read. @default StoreFailureMode.FAIL_OPEN */
  readonly storeFailureMode?: StoreFailureMode;
  /** Timeout of one DynamoDB request of the client, ms. @default 1000 */
  readonly storeTimeoutMs?: number;
  /** Max age of the in-process state cache, ms; 0 reads on every call. @default - 0 with the extension, 1000 without */
  readonly stateMaxAgeMs?: number;
  /** Item lifetime after its last write, seconds; must outlast the longest open period plus a lease. @default 86400 */
  readonly recordTtlSeconds?: number;
  /** Namespace of the EMF metrics. @default 'ServerlessPatterns/CircuitBreaker' */
  readonly metricsNamespace?: string;
  /** Port of the extension's state cache on 127.0.0.1. @default - `CIRCUIT_BREAKER_EXTENSION_PORT`; none: direct reads */
  readonly extensionPort?: number;
  /** How long to wait for the extension before reading DynamoDB directly, ms. @default 100 */
  readonly extensionTimeoutMs?: number;
}

/** Fully resolved settings. */
export interface CircuitBreakerConfig {
  readonly tableName: string;
  readonly defaultCircuitId?: string;
  readonly failureThreshold: number;
  readonly failureCounting: FailureCounting;
  readonly failureWindowMs: number;
  readonly openTimeoutMs: number;
  readonly maxOpenTimeoutMs: number;
  readonly successThreshold: number;
  readonly callTimeoutMs: number;
  readonly probeLeaseMs: number;
  readonly storeFailureMode: StoreFailureMode;
  readonly storeTimeoutMs: number;
  readonly stateMaxAgeMs: number;
  readonly recordTtlSeconds: number;
  readonly metricsNamespace: string;
  readonly extensionPort?: number;
  readonly extensionTimeoutMs: number;
}

/** Default CloudWatch namespace of the transition metrics. */
export const DEFAULT_METRICS_NAMESPACE = D.metricsNamespace;

/** Resolves settings from options, then the environment, then defaults, and validates them. */
export function resolveCircuitBreakerConfig(settings: CircuitBreakerSettings = {}, env: Environment = process.env): CircuitBreakerConfig {
  const E = CIRCUIT_BREAKER_ENV;
  const tableName = settings.tableName ?? env[E.TABLE_NAME];
  if (!tableName) {
    throw new CircuitBreakerConfigError(`no circuit table: pass tableName or set ${E.TABLE_NAME} (the CircuitBreaker construct's protect() sets it)`);
  }
  const callTimeoutMs = int('callTimeoutMs', settings.callTimeoutMs, env, E.CALL_TIMEOUT_MS, D.callTimeoutMs, 0);
  const extensionPort = optionalInt('extensionPort', settings.extensionPort, env, E.EXTENSION_PORT, 1, 65_535);
  const config: CircuitBreakerConfig = {
    tableName,
    defaultCircuitId: settings.circuitId ?? circuitIdsFromEnv(env)[0],
    failureThreshold: int('failureThreshold', settings.failureThreshold, env, E.FAILURE_THRESHOLD, D.failureThreshold, 1),
    failureCounting: enumValue('failureCounting', settings.failureCounting, env, E.FAILURE_COUNTING, FailureCounting, D.failureCounting),
    failureWindowMs: int('failureWindowMs', settings.failureWindowMs, env, E.FAILURE_WINDOW_MS, D.failureWindowMs, 1),
    openTimeoutMs: int('openTimeoutMs', settings.openTimeoutMs, env, E.OPEN_TIMEOUT_MS, D.openTimeoutMs, 1),
    maxOpenTimeoutMs: int('maxOpenTimeoutMs', settings.maxOpenTimeoutMs, env, E.MAX_OPEN_TIMEOUT_MS, D.maxOpenTimeoutMs, 1),
    successThreshold: int('successThreshold', settings.successThreshold, env, E.SUCCESS_THRESHOLD, D.successThreshold, 1),
    callTimeoutMs,
    probeLeaseMs: int('probeLeaseMs', settings.probeLeaseMs, env, E.PROBE_LEASE_MS, callTimeoutMs > 0 ? callTimeoutMs + D.probeLeaseExtraMs : D.probeLeaseWithoutCallTimeoutMs, 1),
    storeFailureMode: enumValue('storeFailureMode', settings.storeFailureMode, env, E.STORE_FAILURE_MODE, StoreFailureMode, D.storeFailureMode),
    storeTimeoutMs: int('storeTimeoutMs', settings.storeTimeoutMs, env, E.STORE_TIMEOUT_MS, D.storeTimeoutMs, 1),
    stateMaxAgeMs: int('stateMaxAgeMs', settings.stateMaxAgeMs, env, E.STATE_MAX_AGE_MS, extensionPort === undefined ? D.stateMaxAgeMs : 0, 0),
    recordTtlSeconds: int('recordTtlSeconds', settings.recordTtlSeconds, env, E.RECORD_TTL_SECONDS, D.recordTtlSeconds, 1),
    metricsNamespace: settings.metricsNamespace ?? env[E.METRICS_NAMESPACE] ?? DEFAULT_METRICS_NAMESPACE,
    extensionPort,
    extensionTimeoutMs: int('extensionTimeoutMs', settings.extensionTimeoutMs, env, E.EXTENSION_TIMEOUT_MS, D.extensionTimeoutMs, 1),
  };
  validateRelations(config);
  return config;
}

function validateRelations(c: CircuitBreakerConfig): void {
  if (c.maxOpenTimeoutMs < c.openTimeoutMs) {
    throw new CircuitBreakerConfigError(`maxOpenTimeoutMs (${c.maxOpenTimeoutMs}) is below openTimeoutMs (${c.openTimeoutMs}): raise the cap or lower the open timeout`);
  }
  // A lease shorter than the call timeout would let a second prober start while the first is still running.
  if (c.callTimeoutMs > 0 && c.probeLeaseMs <= c.callTimeoutMs) {
    throw new CircuitBreakerConfigError(`probeLeaseMs (${c.probeLeaseMs}) must exceed callTimeoutMs (${c.callTimeoutMs}) so only one probe runs at a time`);
  }
  // TTL deleting an OPEN item would silently close the circuit.
  if (c.recordTtlSeconds * 1000 <= c.maxOpenTimeoutMs + c.probeLeaseMs) {
    throw new CircuitBreakerConfigError(
      `recordTtlSeconds (${c.recordTtlSeconds}) must outlast maxOpenTimeoutMs + probeLeaseMs (${c.maxOpenTimeoutMs + c.probeLeaseMs} ms), or TTL could delete an open circuit`,
    );
  }
  if (c.metricsNamespace.length === 0 || c.metricsNamespace.length > CIRCUIT_BREAKER_LIMITS.metricsNamespaceMaxLength) {
    throw new CircuitBreakerConfigError(`metricsNamespace must be 1 to 255 characters, got ${JSON.stringify(c.metricsNamespace)}`);
  }
}

function int(name: string, given: number | undefined, env: Environment, envName: string, fallback: number, min: number): number {
  return optionalInt(name, given, env, envName, min) ?? fallback;
}

function optionalInt(
  name: string, given: number | undefined, env: Environment, envName: string, min: number, max = CIRCUIT_BREAKER_LIMITS.maxInteger,
): number | undefined {
  const raw = env[envName];
  const value = given ?? (raw === undefined || raw.trim() === '' ? undefined : Number(raw));
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) {
    const source = given !== undefined ? `option ${name}` : `${envName}=${JSON.stringify(raw)}`;
    throw new CircuitBreakerConfigError(`${source} must be an integer from ${min} to ${max}`);
  }
  return value;
}

function enumValue<T extends string>(
  name: string, given: T | undefined, env: Environment, envName: string, values: Record<string, T>, fallback: T,
): T {
  const value = given ?? env[envName];
  if (value === undefined || value === '') return fallback;
  const allowed = Object.values(values);
  if (!(allowed as string[]).includes(value)) {
    const source = given !== undefined ? `option ${name}` : envName;
    throw new CircuitBreakerConfigError(`${source} must be one of ${allowed.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as T;
}
