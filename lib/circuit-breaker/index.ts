export { CircuitBreaker, CircuitBreakerProps, CircuitProtection, HealthCheck, HealthCheckerOptions, ProtectOptions } from './circuit-breaker';
export { FailureCounting, StoreFailureMode } from './contract';
export { CircuitBreakerSettings } from './settings';
