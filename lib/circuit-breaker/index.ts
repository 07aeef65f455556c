export { CircuitBreaker, CircuitBreakerProps, HealthCheck, ProtectOptions } from './circuit-breaker';
export { FailureCounting, StoreFailureMode } from './contract';
export { CircuitBreakerSettings } from './settings';
