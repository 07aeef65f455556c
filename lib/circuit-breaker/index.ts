export * from './circuit-breaker';
export type { CircuitBreakerSettings } from './settings';
export { FailureCounting, StoreFailureMode } from './settings';
