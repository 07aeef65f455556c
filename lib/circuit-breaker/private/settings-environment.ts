import { CIRCUIT_BREAKER_ENV as E } from '../contract';
import type { CircuitBreakerSettings } from '../settings';

/** The environment variables for the settings that were given (the runtime applies the same defaults to the rest). */
export function settingsEnvironment(s: CircuitBreakerSettings): Record<string, string> {
  const env: Record<string, string | undefined> = {
    [E.FAILURE_THRESHOLD]: s.failureThreshold?.toString(),
    [E.FAILURE_COUNTING]: s.failureCounting,
    [E.FAILURE_RATE_THRESHOLD]: s.failureRateThreshold?.toString(),
    [E.MINIMUM_CALLS]: s.minimumCalls?.toString(),
    [E.FAILURE_WINDOW_MS]: s.failureWindow?.toMilliseconds().toString(),
    [E.OPEN_TIMEOUT_MS]: s.openTimeout?.toMilliseconds().toString(),
    [E.MAX_OPEN_TIMEOUT_MS]: s.maxOpenTimeout?.toMilliseconds().toString(),
    [E.SUCCESS_THRESHOLD]: s.successThreshold?.toString(),
    [E.CALL_TIMEOUT_MS]: s.callTimeout?.toMilliseconds().toString(),
    [E.STORE_FAILURE_MODE]: s.storeFailureMode,
    [E.METRICS_NAMESPACE]: s.metricsNamespace,
  };
  return Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined));
}
