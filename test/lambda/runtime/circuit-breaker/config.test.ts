import { resolveCircuitBreakerConfig, StoreFailureMode } from '../../../../lambda/runtime/circuit-breaker/config';
import { CIRCUIT_BREAKER_ENV as E } from '../../../../lambda/runtime/circuit-breaker/env';
import { CircuitBreakerConfigError } from '../../../../lambda/runtime/circuit-breaker/errors';
import { FailureCounting } from '../../../../lambda/runtime/circuit-breaker/types';

test('defaults apply when only the table is given', () => {
  expect(resolveCircuitBreakerConfig({}, { [E.TABLE_NAME]: 'circuits' })).toEqual({
    tableName: 'circuits',
    defaultCircuitId: undefined,
    failureThreshold: 5,
    failureCounting: FailureCounting.CONSECUTIVE,
    failureWindowMs: 60_000,
    openTimeoutMs: 30_000,
    maxOpenTimeoutMs: 300_000,
    successThreshold: 1,
    callTimeoutMs: 10_000,
    probeLeaseMs: 15_000,
    storeFailureMode: StoreFailureMode.FAIL_OPEN,
    storeTimeoutMs: 1_000,
    stateMaxAgeMs: 1_000,
    recordTtlSeconds: 86_400,
    metricsNamespace: 'ServerlessPatterns/CircuitBreaker',
    extensionPort: undefined,
    extensionTimeoutMs: 100,
  });
});

test('every setting is read from its environment variable, and options win over the environment', () => {
  const env = {
    [E.TABLE_NAME]: 't',
    [E.CIRCUIT_IDS]: ' payments , ,ledger',
    [E.FAILURE_THRESHOLD]: '7',
    [E.FAILURE_COUNTING]: 'WINDOW',
    [E.FAILURE_WINDOW_MS]: '5000',
    [E.OPEN_TIMEOUT_MS]: '2000',
    [E.MAX_OPEN_TIMEOUT_MS]: '8000',
    [E.SUCCESS_THRESHOLD]: '3',
    [E.CALL_TIMEOUT_MS]: '0',
    [E.PROBE_LEASE_MS]: '9000',
    [E.STORE_FAILURE_MODE]: 'FAIL_CLOSED',
    [E.STORE_TIMEOUT_MS]: '300',
    [E.STATE_MAX_AGE_MS]: '250',
    [E.RECORD_TTL_SECONDS]: '600',
    [E.METRICS_NAMESPACE]: 'Shop',
    [E.EXTENSION_PORT]: '4243',
    [E.EXTENSION_TIMEOUT_MS]: '50',
  };
  const config = resolveCircuitBreakerConfig({}, env);
  expect(config).toMatchObject({
    tableName: 't',
    defaultCircuitId: 'payments',
    failureThreshold: 7,
    failureCounting: FailureCounting.WINDOW,
    failureWindowMs: 5_000,
    openTimeoutMs: 2_000,
    maxOpenTimeoutMs: 8_000,
    successThreshold: 3,
    callTimeoutMs: 0,
    probeLeaseMs: 9_000,
    storeFailureMode: StoreFailureMode.FAIL_CLOSED,
    storeTimeoutMs: 300,
    stateMaxAgeMs: 250,
    recordTtlSeconds: 600,
    metricsNamespace: 'Shop',
    extensionPort: 4243,
    extensionTimeoutMs: 50,
  });
  expect(resolveCircuitBreakerConfig({ tableName: 'other', failureThreshold: 2, circuitId: 'x' }, env)).toMatchObject({
    tableName: 'other', failureThreshold: 2, defaultCircuitId: 'x',
  });
});

test('with the extension present the in-process cache is off by default (the extension is the cache)', () => {
  expect(resolveCircuitBreakerConfig({ tableName: 't', extensionPort: 4243 }, {}).stateMaxAgeMs).toBe(0);
  expect(resolveCircuitBreakerConfig({ tableName: 't' }, {}).stateMaxAgeMs).toBe(1_000);
});

test.each([
  [{}, {}, /no circuit table/],
  [{ tableName: 't' }, { [E.FAILURE_THRESHOLD]: 'five' }, /CIRCUIT_BREAKER_FAILURE_THRESHOLD="five" must be an integer/],
  [{ tableName: 't', failureThreshold: 0 }, {}, /option failureThreshold must be an integer from 1/],
  [{ tableName: 't', successThreshold: 1.5 }, {}, /option successThreshold/],
  [{ tableName: 't' }, { [E.FAILURE_COUNTING]: 'SLIDING' }, /CIRCUIT_BREAKER_FAILURE_COUNTING must be one of CONSECUTIVE, WINDOW/],
  [{ tableName: 't' }, { [E.STORE_FAILURE_MODE]: 'open' }, /must be one of FAIL_OPEN, FAIL_CLOSED/],
  [{ tableName: 't', openTimeoutMs: 10_000, maxOpenTimeoutMs: 5_000 }, {}, /maxOpenTimeoutMs \(5000\) is below openTimeoutMs/],
  [{ tableName: 't', callTimeoutMs: 5_000, probeLeaseMs: 5_000 }, {}, /probeLeaseMs \(5000\) must exceed callTimeoutMs/],
  [{ tableName: 't', recordTtlSeconds: 60 }, {}, /recordTtlSeconds \(60\) must outlast/],
  [{ tableName: 't', extensionPort: 70_000 }, {}, /extensionPort must be an integer from 1 to 65535/],
  [{ tableName: 't', metricsNamespace: '' }, {}, /metricsNamespace must be 1 to 255/],
])('rejects invalid configuration %#', (options, env, message) => {
  expect(() => resolveCircuitBreakerConfig(options, env)).toThrow(CircuitBreakerConfigError);
  expect(() => resolveCircuitBreakerConfig(options, env)).toThrow(message);
});
