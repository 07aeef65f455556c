import { Duration } from 'aws-cdk-lib';

/** Environment variable names read by the runtime client, extension and health checker. */
export const CIRCUIT_ENV = {
  TABLE_NAME: 'CIRCUIT_BREAKER_TABLE_NAME',
  CIRCUIT_IDS: 'CIRCUIT_BREAKER_CIRCUIT_IDS',
  FAILURE_THRESHOLD: 'CIRCUIT_BREAKER_FAILURE_THRESHOLD',
  FAILURE_COUNTING: 'CIRCUIT_BREAKER_FAILURE_COUNTING',
  FAILURE_WINDOW_MS: 'CIRCUIT_BREAKER_FAILURE_WINDOW_MS',
  OPEN_TIMEOUT_MS: 'CIRCUIT_BREAKER_OPEN_TIMEOUT_MS',
  MAX_OPEN_TIMEOUT_MS: 'CIRCUIT_BREAKER_MAX_OPEN_TIMEOUT_MS',
  SUCCESS_THRESHOLD: 'CIRCUIT_BREAKER_SUCCESS_THRESHOLD',
  CALL_TIMEOUT_MS: 'CIRCUIT_BREAKER_CALL_TIMEOUT_MS',
  STORE_FAILURE_MODE: 'CIRCUIT_BREAKER_STORE_FAILURE_MODE',
  METRICS_NAMESPACE: 'CIRCUIT_BREAKER_METRICS_NAMESPACE',
  EXTENSION_PORT: 'CIRCUIT_BREAKER_EXTENSION_PORT',
  HEALTH_CHECKS: 'CIRCUIT_BREAKER_HEALTH_CHECKS',
} as const;

/**
 * The runtime client's defaults and limits (lambda/runtime/circuit-breaker/config.ts) that synth-time validation
 * must agree with. lib/ cannot import from lambda/ (the runtime is bundled separately and is not part of the jsii
 * API), so the numbers are repeated here; construct.test.ts asserts they match what the runtime resolves and that
 * every setting synth accepts is accepted by the runtime too.
 */
export const RUNTIME_DEFAULTS = {
  failureThreshold: 5,
  failureWindowMs: 60_000,
  openTimeoutMs: 30_000,
  maxOpenTimeoutMs: 300_000,
  successThreshold: 1,
  callTimeoutMs: 10_000,
  /** The probe lease is the call timeout plus this (the construct never sets the lease itself). */
  probeLeaseExtraMs: 5_000,
  /** A circuit item expires this long after its last write (the construct never sets the TTL itself). */
  recordTtlSeconds: 86_400,
  /** Timeout of one DynamoDB request of the client. */
  storeTimeoutMs: 1_000,
  metricsNamespace: 'ServerlessPatterns/CircuitBreaker',
} as const;

/** Limits the runtime enforces on the values the construct passes as environment variables. */
export const RUNTIME_LIMITS = {
  /** Integers are parsed from the environment and must be safe integers. */
  maxInteger: Number.MAX_SAFE_INTEGER,
  metricsNamespaceMaxLength: 255,
} as const;

/** How failures are counted before a circuit opens. */
export enum FailureCounting {
  /** Failures in a row; a success resets the count. */
  CONSECUTIVE = 'CONSECUTIVE',
  /** Failures within `failureWindow`, successes in between notwithstanding. */
  WINDOW = 'WINDOW',
}

/** What a guarded call does when the circuit table cannot be read. */
export enum StoreFailureMode {
  /** Run the call (the dependency may be fine; the breaker must not become the outage). */
  FAIL_OPEN = 'FAIL_OPEN',
  /** Reject the call with a CircuitOpenError. */
  FAIL_CLOSED = 'FAIL_CLOSED',
}

/**
 * State-machine settings. They apply to every circuit of one CircuitBreaker construct and to every function it
 * protects: all environments must agree on when a circuit opens and closes.
 */
export interface CircuitBreakerSettings {
  /**
   * Failures that open a circuit.
   * @default 5
   */
  readonly failureThreshold?: number;
  /**
   * How failures are counted.
   * @default FailureCounting.CONSECUTIVE
   */
  readonly failureCounting?: FailureCounting;
  /**
   * The window for `FailureCounting.WINDOW`.
   * @default Duration.minutes(1)
   */
  readonly failureWindow?: Duration;
  /**
   * How long a circuit stays OPEN before one probe is allowed; doubled after each failed probe.
   * @default Duration.seconds(30)
   */
  readonly openTimeout?: Duration;
  /**
   * Cap of the doubled open timeout.
   * @default Duration.minutes(5)
   */
  readonly maxOpenTimeout?: Duration;
  /**
   * Successful probes that close a HALF_OPEN circuit.
   * @default 1
   */
  readonly successThreshold?: number;
  /**
   * Per guarded call timeout; a call that takes longer counts as a failure.
   * @default Duration.seconds(10)
   */
  readonly callTimeout?: Duration;
  /**
   * What a guarded call does when the table cannot be read.
   * @default StoreFailureMode.FAIL_OPEN
   */
  readonly storeFailureMode?: StoreFailureMode;
  /**
   * CloudWatch namespace of the transition metrics (embedded metric format).
   * @default 'ServerlessPatterns/CircuitBreaker'
   */
  readonly metricsNamespace?: string;
}

/** The environment variables for the settings that were given (the runtime has the same defaults). */
export function settingsEnvironment(s: CircuitBreakerSettings): Record<string, string> {
  const env: Record<string, string | undefined> = {
    [CIRCUIT_ENV.FAILURE_THRESHOLD]: s.failureThreshold?.toString(),
    [CIRCUIT_ENV.FAILURE_COUNTING]: s.failureCounting,
    [CIRCUIT_ENV.FAILURE_WINDOW_MS]: s.failureWindow?.toMilliseconds().toString(),
    [CIRCUIT_ENV.OPEN_TIMEOUT_MS]: s.openTimeout?.toMilliseconds().toString(),
    [CIRCUIT_ENV.MAX_OPEN_TIMEOUT_MS]: s.maxOpenTimeout?.toMilliseconds().toString(),
    [CIRCUIT_ENV.SUCCESS_THRESHOLD]: s.successThreshold?.toString(),
    [CIRCUIT_ENV.CALL_TIMEOUT_MS]: s.callTimeout?.toMilliseconds().toString(),
    [CIRCUIT_ENV.STORE_FAILURE_MODE]: s.storeFailureMode,
    [CIRCUIT_ENV.METRICS_NAMESPACE]: s.metricsNamespace,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
