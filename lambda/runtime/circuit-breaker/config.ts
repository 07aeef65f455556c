/**
 * Breaker settings: constructor options first, then the environment the construct sets, then defaults. Bad values
 * throw at construction, so a misconfigured deployment fails on its first cold start instead of guarding nothing.
 */
import { CIRCUIT_BREAKER_ENV, circuitIdsFromEnv, Environment } from './env';
import { CircuitBreakerConfigError } from './errors';
import {
  CIRCUIT_BREAKER_DEFAULTS as D,
  CIRCUIT_BREAKER_LIMITS,
  defaultFailureCounting,
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
  /** How a CLOSED circuit decides to open. @default - WINDOW when failureThreshold is given, else RATE */
  readonly failureCounting?: FailureCounting;
  /** RATE: percent of a window's calls that must fail (1 to 100). @default 50 */
  readonly failureRateThreshold?: number;
  /** RATE: calls a window must hold, fleet-wide, before its rate is judged. @default 20 */
  readonly minimumCalls?: number;
  /** WINDOW: failures within one window that open the circuit. @default 5 */
  readonly failureThreshold?: number;
  /** Length of a counting window (it starts at the first failure), ms. @default 30000 */
  readonly failureWindowMs?: number;
  /** RATE: while a window is active, report this environment's tally at most this often, ms. @default 1000 */
  readonly tallyFlushIntervalMs?: number;
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
  /** Max age of the state a call acts on, from when its DynamoDB read was sent, ms; 0 disables the client's cache. @default 1000 */
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
  readonly failureCounting: FailureCounting;
  readonly failureRateThreshold: number;
  readonly minimumCalls: number;
  readonly failureThreshold: number;
  readonly failureWindowMs: number;
  readonly tallyFlushIntervalMs: number;
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
  const failureThreshold = optionalInt('failureThreshold', settings.failureThreshold, env, E.FAILURE_THRESHOLD, 1);
  const failureCounting = enumValue(
    'failureCounting', settings.failureCounting, env, E.FAILURE_COUNTING, FailureCounting, defaultFailureCounting(failureThreshold !== undefined),
  );
  const config: CircuitBreakerConfig = {
    tableName,
    defaultCircuitId: settings.circuitId ?? circuitIdsFromEnv(env)[0],
    failureCounting,
    failureRateThreshold: int(
      'failureRateThreshold', settings.failureRateThreshold, env, E.FAILURE_RATE_THRESHOLD, D.failureRateThreshold,
      CIRCUIT_BREAKER_LIMITS.failureRateMinPercent, CIRCUIT_BREAKER_LIMITS.failureRateMaxPercent,
    ),
    minimumCalls: int('minimumCalls', settings.minimumCalls, env, E.MINIMUM_CALLS, D.minimumCalls, 1),
    failureThreshold: failureThreshold ?? D.failureThreshold,
    failureWindowMs: int('failureWindowMs', settings.failureWindowMs, env, E.FAILURE_WINDOW_MS, D.failureWindowMs, 1),
    tallyFlushIntervalMs: int('tallyFlushIntervalMs', settings.tallyFlushIntervalMs, env, E.TALLY_FLUSH_INTERVAL_MS, D.tallyFlushIntervalMs, 1),
    openTimeoutMs: int('openTimeoutMs', settings.openTimeoutMs, env, E.OPEN_TIMEOUT_MS, D.openTimeoutMs, 1),
    maxOpenTimeoutMs: int('maxOpenTimeoutMs', settings.maxOpenTimeoutMs, env, E.MAX_OPEN_TIMEOUT_MS, D.maxOpenTimeoutMs, 1),
    successThreshold: int('successThreshold', settings.successThreshold, env, E.SUCCESS_THRESHOLD, D.successThreshold, 1),
    callTimeoutMs,
    probeLeaseMs: int('probeLeaseMs', settings.probeLeaseMs, env, E.PROBE_LEASE_MS, callTimeoutMs > 0 ? callTimeoutMs + D.probeLeaseExtraMs : D.probeLeaseWithoutCallTimeoutMs, 1),
    storeFailureMode: enumValue('storeFailureMode', settings.storeFailureMode, env, E.STORE_FAILURE_MODE, StoreFailureMode, D.storeFailureMode),
    storeTimeoutMs: int('storeTimeoutMs', settings.storeTimeoutMs, env, E.STORE_TIMEOUT_MS, D.storeTimeoutMs, 1),
    stateMaxAgeMs: int('stateMaxAgeMs', settings.stateMaxAgeMs, env, E.STATE_MAX_AGE_MS, D.stateMaxAgeMs, 0),
    recordTtlSeconds: int('recordTtlSeconds', settings.recordTtlSeconds, env, E.RECORD_TTL_SECONDS, D.recordTtlSeconds, 1),
    metricsNamespace: settings.metricsNamespace ?? env[E.METRICS_NAMESPACE] ?? DEFAULT_METRICS_NAMESPACE,
    extensionPort,
    extensionTimeoutMs: int('extensionTimeoutMs', settings.extensionTimeoutMs, env, E.EXTENSION_TIMEOUT_MS, D.extensionTimeoutMs, 1),
  };
  validateCounting(config, settings, env);
  validateRelations(config);
  return config;
}

/** A setting of the counting rule not in force would be silently ignored: refuse it, as synth does. */
function validateCounting(c: CircuitBreakerConfig, settings: CircuitBreakerSettings, env: Environment): void {
  const E = CIRCUIT_BREAKER_ENV;
  const misplaced: Array<[string, unknown, string, FailureCounting]> = [
    ['failureThreshold', settings.failureThreshold, E.FAILURE_THRESHOLD, FailureCounting.WINDOW],
    ['failureRateThreshold', settings.failureRateThreshold, E.FAILURE_RATE_THRESHOLD, FailureCounting.RATE],
    ['minimumCalls', settings.minimumCalls, E.MINIMUM_CALLS, FailureCounting.RATE],
  ];
  for (const [name, given, envName, usedBy] of misplaced) {
    const set = given !== undefined || (env[envName] ?? '').trim() !== '';
    if (set && c.failureCounting !== usedBy) {
      throw new CircuitBreakerConfigError(`${name} applies to ${usedBy} counting, but the circuit counts with ${c.failureCounting}: drop it or change the counting`);
    }
  }
  // A window that ends before its first report is never judged.
  if (c.failureCounting === FailureCounting.RATE && c.failureWindowMs <= c.tallyFlushIntervalMs) {
    throw new CircuitBreakerConfigError(`failureWindowMs (${c.failureWindowMs}) must exceed tallyFlushIntervalMs (${c.tallyFlushIntervalMs}), or no window is ever judged`);
  }
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

function int(name: string, given: number | undefined, env: Environment, envName: string, fallback: number, min: number, max?: number): number {
  return optionalInt(name, given, env, envName, min, max) ?? fallback;
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
