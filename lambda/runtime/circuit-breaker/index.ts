/**
 * Circuit-breaker client for Lambda functions: DynamoDB-shared state, extension cache, single-prober recovery.
 * Only the public API is re-exported; the extension and health checker import the internals by path.
 */
export { CircuitBreaker, systemClock } from './breaker';
export type { CallOptions, CircuitBreakerOptions, Clock } from './breaker';
export { DEFAULT_METRICS_NAMESPACE, resolveCircuitBreakerConfig, StoreFailureMode } from './config';
export type { CircuitBreakerConfig, CircuitBreakerSettings } from './config';
export type { LocalWindow } from './counting';
export { CIRCUIT_BREAKER_ENV } from './env';
export {
  CallerError, CallTimeoutError, CircuitBreakerConfigError, CircuitOpenError, CircuitRejectionReason, defaultIsFailure,
} from './errors';
export type { GuardedCallContext, GuardedFunction } from './guarded-call';
export { CIRCUIT_ID_DIMENSION, CircuitMetric, jsonLineLogger, stdoutMetricSink } from './telemetry';
export type { CircuitBreakerLogger, LogLevel, MetricSink } from './telemetry';
export { CircuitState, FailureCounting } from './types';
export type { CircuitRecord, Tally } from './types';
