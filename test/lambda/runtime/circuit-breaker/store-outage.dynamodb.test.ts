/**
 * The state store failing: unreachable (a client pointed at a closed port) or throttled (real DynamoDB Local
 * requests, with an SDK middleware refusing chosen commands the way DynamoDB does under throttling).
 */
import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient, ProvisionedThroughputExceededException } from '@aws-sdk/client-dynamodb';
import { captureLogger, closedPort, createCircuitTable, failing, ignoreErrors, ManualClock, succeeding, testBreaker } from './support';
import { CircuitBreaker } from '../../../../lambda/runtime/circuit-breaker/breaker';
import { StoreFailureMode } from '../../../../lambda/runtime/circuit-breaker/config';
import { CircuitOpenError, CircuitRejectionReason } from '../../../../lambda/runtime/circuit-breaker/errors';
import { CircuitState } from '../../../../lambda/runtime/circuit-breaker/types';
import { localDynamoDbClient } from '../../../support/dynamodb-local';

let table: string;
let downClient: DynamoDBClient;
beforeAll(async () => {
  table = await createCircuitTable('outage');
  downClient = localDynamoDbClient({ endpoint: `http://127.0.0.1:${await closedPort()}`, maxAttempts: 1 });
});
afterAll(() => downClient.destroy());

/** Makes `client` fail the named commands with a throttling error before they are sent. */
function throttle(client: DynamoDBClient, commands: string[]): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (commands.includes(context.commandName ?? '')) {
        throw new ProvisionedThroughputExceededException({ message: 'Rate of requests exceeds the allowed throughput', $metadata: {} });
      }
      return next(args);
    },
    { step: 'initialize', name: 'throttleForTest', priority: 'high' },
  );
}

describe('store unreachable', () => {
  test('fails open by default: the call runs, its result is returned, and a structured warning is logged', async () => {
    const t = testBreaker(table, { dynamoDbClient: downClient });
    let ran = 0;
    await expect(t.breaker.call(async () => {
      ran++;
      return 'served';
    })).resolves.toBe('served');
    expect(ran).toBe(1);
    const warning = t.logger.entries.find((e) => e.level === 'WARN');
    expect(warning).toMatchObject({
      message: 'circuit state store unavailable; failing open',
      fields: { circuitId: t.circuitId, operation: 'read', storeFailureMode: 'FAIL_OPEN', error: { message: expect.stringContaining('ECONNREFUSED') } },
    });
    expect(() => JSON.stringify(warning)).not.toThrow();
  });

  test('failing open, the function\'s own error is rethrown unchanged (never a store error)', async () => {
    const t = testBreaker(table, { dynamoDbClient: downClient });
    await expect(t.breaker.call(failing)).rejects.toThrow('dependency down');
  });

  test('fails closed when configured: the function does not run and the rejection says why', async () => {
    const t = testBreaker(table, { dynamoDbClient: downClient, storeFailureMode: StoreFailureMode.FAIL_CLOSED });
    let ran = false;
    const err = await t.breaker.call(async () => (ran = true)).catch((e) => e);
    expect(ran).toBe(false);
    expect(CircuitOpenError.is(err)).toBe(true);
    expect(err.reason).toBe(CircuitRejectionReason.STORE_UNAVAILABLE);
    expect(t.logger.entries[0]).toMatchObject({ level: 'WARN', message: 'circuit state store unavailable; failing closed' });
  });

  test('failing closed, the fallback answers', async () => {
    const t = testBreaker(table, { dynamoDbClient: downClient, storeFailureMode: StoreFailureMode.FAIL_CLOSED });
    await expect(t.breaker.call(succeeding, { fallback: (r) => `fallback: ${r.reason}` })).resolves.toBe('fallback: STORE_UNAVAILABLE');
  });

  test('the default client gives up within storeTimeoutMs when the store accepts connections but never answers', async () => {
    const blackHole = createServer(() => undefined); // accepts, never responds
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    const saved = { ...process.env };
    // The SDK's own configuration chain, as in Lambda: the breaker builds its default client from it.
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
    });
    const logger = captureLogger();
    const storeTimeoutMs = 300;
    const breaker = new CircuitBreaker({ tableName: table, circuitId: 'hang', env: {}, storeTimeoutMs, logger });
    try {
      const started = Date.now();
      await expect(breaker.call(succeeding)).resolves.toBe('ok');
      // Two attempts bounded by the store timeout, plus backoff; without it the SDK would wait indefinitely. The
      // bound is relative to the timeout under test, with room for a loaded machine.
      expect(Date.now() - started).toBeLessThan(10 * storeTimeoutMs);
      expect(logger.entries[0]).toMatchObject({ level: 'WARN', fields: { operation: 'read' } });
    } finally {
      process.env = saved;
      breaker.close();
      blackHole.closeAllConnections();
      await new Promise((r) => blackHole.close(r));
    }
  });
});

describe('a store that hangs is waited for once per hold period, within the call\'s store budget', () => {
  test('the first call waits at most the budget; calls in the next second do not wait at all; one StoreUnavailable', async () => {
    const blackHole = createServer(() => undefined); // accepts, never responds
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    const client = localDynamoDbClient({ endpoint: `http://127.0.0.1:${(blackHole.address() as AddressInfo).port}`, maxAttempts: 1 });
    const storeTimeoutMs = 300;
    const metrics: string[] = [];
    const breaker = new CircuitBreaker({
      tableName: table, circuitId: 'hang-bound', env: {}, storeTimeoutMs, dynamoDbClient: client, logger: captureLogger(), metricSink: (l) => metrics.push(l),
    });
    try {
      let started = performance.now();
      await expect(breaker.call(succeeding)).resolves.toBe('ok');
      expect(performance.now() - started).toBeLessThan(storeTimeoutMs + 100);
      started = performance.now();
      for (let i = 0; i < 5; i++) await expect(breaker.call(succeeding)).resolves.toBe('ok');
      expect(performance.now() - started).toBeLessThan(50);
      expect(metrics.map((m) => JSON.parse(m)._aws.CloudWatchMetrics[0].Metrics[0].Name)).toEqual(['StoreUnavailable']);
    } finally {
      breaker.close();
      client.destroy();
      blackHole.closeAllConnections();
      await new Promise((r) => blackHole.close(r));
    }
  });
});

describe('store throttled', () => {
  test('a store refusing writes: failures are not counted (the circuit stays CLOSED), and each refused write emits StoreUnavailable', async () => {
    const clock = new ManualClock();
    const t = testBreaker(table, { clock });
    throttle(t.client, ['UpdateItemCommand']);
    for (let i = 0; i < 5; i++) {
      await expect(t.breaker.call(failing)).rejects.toThrow('dependency down');
      clock.advance(1_000); // past the hold: each failure tries to write again
    }
    expect((await t.breaker.readState()).state).toBe(CircuitState.CLOSED);
    const emf = t.metrics.map((m) => JSON.parse(m));
    expect(emf.map((d) => d._aws.CloudWatchMetrics[0].Metrics[0].Name)).toEqual(Array(5).fill('StoreUnavailable'));
    expect(emf[0]).toMatchObject({ CircuitId: t.circuitId, operation: 'count failure', error: 'ProvisionedThroughputExceededException' });
  });

  test('a throttled read fails open', async () => {
    const t = testBreaker(table);
    throttle(t.client, ['GetItemCommand']);
    await expect(t.breaker.call(succeeding)).resolves.toBe('ok');
    expect(t.logger.entries[0].fields).toMatchObject({ operation: 'read', error: { name: 'ProvisionedThroughputExceededException' } });
  });

  test('a throttled failure count is logged and the call still fails with its own error', async () => {
    const t = testBreaker(table);
    throttle(t.client, ['UpdateItemCommand']);
    await expect(t.breaker.call(failing)).rejects.toThrow('dependency down');
    expect(t.logger.entries).toContainEqual(expect.objectContaining({
      level: 'WARN', message: 'circuit state store unavailable; could not count failure',
    }));
  });

  test('a throttled probe election fails open; a throttled probe result leaves the lease to expire', async () => {
    const clock = new ManualClock();
    const healthy = testBreaker(table, { clock });
    for (let i = 0; i < 3; i++) await ignoreErrors(() => healthy.breaker.call(failing));
    clock.advance(10_000);

    const election = testBreaker(table, { clock, circuitId: healthy.circuitId });
    throttle(election.client, ['PutItemCommand']);
    await expect(election.breaker.call(succeeding)).resolves.toBe('ok');
    expect(election.logger.entries[0].fields).toMatchObject({ operation: 'elect prober' });
    expect((await healthy.breaker.readState()).state).toBe(CircuitState.OPEN);

    // A prober whose result write is throttled: the circuit stays HALF_OPEN until the lease ends, then recovers.
    let puts = 0;
    const prober = testBreaker(table, { clock, circuitId: healthy.circuitId });
    prober.client.middlewareStack.add((next, context) => async (args) => {
      if (context.commandName === 'PutItemCommand' && ++puts === 2) {
        throw new ProvisionedThroughputExceededException({ message: 'throttled', $metadata: {} });
      }
      return next(args);
    }, { step: 'initialize', name: 'throttleSecondPut', priority: 'high' });
    await expect(prober.breaker.call(succeeding)).resolves.toBe('ok');
    expect(prober.logger.entries).toContainEqual(expect.objectContaining({ message: 'circuit state store unavailable; could not record probe result' }));
    expect((await healthy.breaker.readState()).state).toBe(CircuitState.HALF_OPEN);
    clock.advance(5_000);
    await expect(healthy.breaker.call(succeeding)).resolves.toBe('ok');
    expect((await healthy.breaker.readState()).state).toBe(CircuitState.CLOSED);
  });
});
