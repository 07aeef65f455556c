import { resolveCircuitBreakerConfig, StoreFailureMode } from '../../../../lambda/runtime/circuit-breaker/config';
import { CIRCUIT_BREAKER_ENV as E } from '../../../../lambda/runtime/circuit-breaker/env';
import { CircuitBreakerConfigError } from '../../../../lambda/runtime/circuit-breaker/errors';
import { FailureCounting } from '../../../../lambda/runtime/circuit-breaker/types';

test('defaults apply when only the table is given', () => {
  expect(resolveCircuitBreakerConfig({}, { [E.TABLE_NAME]: 'circuits' })).toEqual({
    tableName: 'circuits',
    defaultCircuitId: undefined,
    failureCounting: FailureCounting.RATE,
    failureRateThreshold: 50,
    minimumCalls: 20,
    failureThreshold: 5,
    failureWindowMs: 30_000,
    tallyFlushIntervalMs: 1_000,
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
    [E.TALLY_FLUSH_INTERVAL_MS]: '400',
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
    tallyFlushIntervalMs: 400,
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

test('RATE settings are read from the environment; the client caches state with or without the extension', () => {
  const env = { [E.TABLE_NAME]: 't', [E.FAILURE_RATE_THRESHOLD]: '25', [E.MINIMUM_CALLS]: '100' };
  expect(resolveCircuitBreakerConfig({}, env)).toMatchObject({ failureCounting: FailureCounting.RATE, failureRateThreshold: 25, minimumCalls: 100 });
  expect(resolveCircuitBreakerConfig({ tableName: 't', extensionPort: 4243 }, {}).stateMaxAgeMs).toBe(1_000);
  expect(resolveCircuitBreakerConfig({ tableName: 't' }, {}).stateMaxAgeMs).toBe(1_000);
});

test('a failure threshold without a counting selects WINDOW counting (a number of failures)', () => {
  expect(resolveCircuitBreakerConfig({ tableName: 't', failureThreshold: 3 }, {}).failureCounting).toBe(FailureCounting.WINDOW);
  expect(resolveCircuitBreakerConfig({}, { [E.TABLE_NAME]: 't', [E.FAILURE_THRESHOLD]: '3' }).failureCounting).toBe(FailureCounting.WINDOW);
});

test.each([
  [{}, {}, /no circuit table/],
  [{ tableName: 't' }, { [E.FAILURE_THRESHOLD]: 'five' }, /CIRCUIT_BREAKER_FAILURE_THRESHOLD="five" must be an integer/],
  [{ tableName: 't', failureThreshold: 0 }, {}, /option failureThreshold must be an integer from 1/],
  [{ tableName: 't', successThreshold: 1.5 }, {}, /option successThreshold/],
  [{ tableName: 't' }, { [E.FAILURE_COUNTING]: 'CONSECUTIVE' }, /CIRCUIT_BREAKER_FAILURE_COUNTING must be one of RATE, WINDOW/],
  [{ tableName: 't', failureRateThreshold: 0 }, {}, /option failureRateThreshold must be an integer from 1 to 100/],
  [{ tableName: 't' }, { [E.FAILURE_RATE_THRESHOLD]: '101' }, /CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD="101" must be an integer from 1 to 100/],
  [{ tableName: 't', minimumCalls: 0 }, {}, /option minimumCalls must be an integer from 1/],
  [{ tableName: 't', failureCounting: FailureCounting.RATE, failureThreshold: 3 }, {}, /failureThreshold applies to WINDOW counting/],
  [{ tableName: 't', failureThreshold: 3, minimumCalls: 10 }, {}, /minimumCalls applies to RATE counting/],
  [{ tableName: 't' }, { [E.FAILURE_COUNTING]: 'WINDOW', [E.FAILURE_RATE_THRESHOLD]: '20' }, /failureRateThreshold applies to RATE counting/],
  [{ tableName: 't', failureWindowMs: 1_000, tallyFlushIntervalMs: 1_000 }, {}, /failureWindowMs \(1000\) must exceed tallyFlushIntervalMs/],
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
