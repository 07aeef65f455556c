/**
 * Writes whose response is lost: a proxy in front of DynamoDB Local forwards a write (it commits) and holds its
 * response past the client's request timeout, so the SDK retries it and the retry meets the item the first attempt
 * wrote. The writer must recognise its own write by its token (or write nothing that could count twice).
 */
import { randomUUID } from 'node:crypto';
import { DelayingProxy } from './delaying-proxy';
import { createCircuitTable, failing, ignoreErrors, ManualClock, succeeding, testBreaker } from './support';
import { CircuitBreakerOptions } from '../../../../lambda/runtime/circuit-breaker/breaker';
import { CircuitOpenError } from '../../../../lambda/runtime/circuit-breaker/errors';
import { ATTEMPT_SHARE_OF_BUDGET, defaultDynamoDbClient } from '../../../../lambda/runtime/circuit-breaker/store';
import { CircuitState, windowTotals } from '../../../../lambda/runtime/circuit-breaker/types';
import { dynamoDbLocalEndpoint } from '../../../support/dynamodb-local';

/** The client's request timeout; the proxy holds a chosen response far longer. */
const REQUEST_TIMEOUT_MS = 300;
const HOLD_MS = 5 * REQUEST_TIMEOUT_MS;

let table: string;
let proxy: DelayingProxy;
let endpoint: string;
beforeAll(async () => {
  table = await createCircuitTable('lost-responses');
  proxy = new DelayingProxy(dynamoDbLocalEndpoint(), HOLD_MS);
  endpoint = await proxy.start();
  // DynamoDB Local's first writes to a table can outlast the short request timeout used here: make them now.
  const warm = testBreaker(table, { failureThreshold: 1 });
  await ignoreErrors(() => warm.breaker.call(failing));
  warm.client.destroy();
});
afterAll(() => proxy.close());

/** A breaker whose DynamoDB client is the default one (two attempts, request timeout), pointed at the proxy. */
function proxiedBreaker(options: Partial<CircuitBreakerOptions>) {
  // The store budget whose attempts each get REQUEST_TIMEOUT_MS: both attempts fit in it.
  const storeTimeoutMs = Math.ceil(REQUEST_TIMEOUT_MS / ATTEMPT_SHARE_OF_BUDGET);
  const client = defaultDynamoDbClient(storeTimeoutMs, {
    endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return testBreaker(table, { dynamoDbClient: client, storeTimeoutMs, ...options });
}

const metricNames = (lines: string[]) => lines.map((l) => JSON.parse(l)._aws.CloudWatchMetrics[0].Metrics[0].Name as string);
const attempts = (operation: string) => proxy.forwarded.filter((o) => o === operation).length;

beforeEach(() => {
  proxy.forwarded.length = 0;
  proxy.held = 0;
});

test('the elected prober whose election response was lost still probes, and the circuit closes', async () => {
  const clock = new ManualClock();
  const setup = testBreaker(table, { clock });
  for (let i = 0; i < 3; i++) await ignoreErrors(() => setup.breaker.call(failing));
  clock.advance(10_000);
  proxy.holdNext({ operation: 'PutItem', bodyIncludes: '"HALF_OPEN"' });

  const t = proxiedBreaker({ clock, circuitId: setup.circuitId });
  const probes: boolean[] = [];
  await expect(t.breaker.call(async (ctx) => {
    probes.push(ctx.probe);
    return 'answered';
  })).resolves.toBe('answered');
  expect(proxy.held).toBe(1);
  expect(attempts('PutItem')).toBe(3); // the election, its retry, the close
  expect(probes).toEqual([true]);
  expect(metricNames(t.metrics)).toEqual(['CircuitHalfOpened', 'CircuitClosed']);
  expect((await setup.breaker.readState()).state).toBe(CircuitState.CLOSED);
  t.client.destroy();
});

test('an opening whose response was lost emits its CircuitOpened metric once, and the environment knows the circuit is open', async () => {
  const t = proxiedBreaker({ failureThreshold: 2, stateMaxAgeMs: 60_000 });
  proxy.holdNext({ operation: 'UpdateItem', bodyIncludes: '"OPEN"' });
  await ignoreErrors(() => t.breaker.call(failing));
  await expect(t.breaker.call(failing)).rejects.toThrow('dependency down');
  expect(proxy.held).toBe(1);
  expect(metricNames(t.metrics)).toEqual(['CircuitOpened']);
  expect((await t.breaker.readState()).state).toBe(CircuitState.OPEN);
  const reads = attempts('GetItem');
  await expect(t.breaker.call(failing)).rejects.toBeInstanceOf(CircuitOpenError);
  expect(attempts('GetItem')).toBe(reads);
  t.client.destroy();
});

test('a failure whose report response was lost counts once, and so does the one that started the window', async () => {
  const t = proxiedBreaker({ failureThreshold: 5, circuitId: `once-${randomUUID().slice(0, 8)}` });
  proxy.holdNext({ operation: 'UpdateItem', bodyIncludes: 'windowStart = :now' });
  await ignoreErrors(() => t.breaker.call(failing));
  proxy.holdNext({ operation: 'UpdateItem', bodyIncludes: 'tallies.#writer' });
  await ignoreErrors(() => t.breaker.call(failing));
  await ignoreErrors(() => t.breaker.call(failing));
  expect(proxy.held).toBe(2);
  expect(attempts('UpdateItem')).toBe(5); // start + retry, report + retry, report
  const record = await t.breaker.readState();
  expect(record.state).toBe(CircuitState.CLOSED);
  expect(windowTotals(record)).toEqual({ calls: 3, failures: 3 });
  t.client.destroy();
});

test('an opening whose both attempts committed and both answers were lost is announced once, by whoever reads it first', async () => {
  const clock = new ManualClock();
  const opener = proxiedBreaker({ clock, failureThreshold: 2 });
  const reader = testBreaker(table, { clock, circuitId: opener.circuitId });
  const another = testBreaker(table, { clock, circuitId: opener.circuitId });
  await opener.breaker.call(succeeding); // connection set up
  await ignoreErrors(() => opener.breaker.call(failing));
  // The opening write and its retry both reach DynamoDB; neither answer comes back.
  proxy.holdNext({ operation: 'UpdateItem', bodyIncludes: '"OPEN"' });
  proxy.holdNext({ operation: 'UpdateItem', bodyIncludes: '"OPEN"' });
  await expect(opener.breaker.call(failing)).rejects.toThrow('dependency down');
  expect(proxy.held).toBe(2);
  expect((await reader.breaker.readState()).state).toBe(CircuitState.OPEN);
  expect(metricNames(opener.metrics)).toEqual(['StoreUnavailable']); // the lost answers, not the opening

  // Once the opener has had its store budget to claim it, the first environments to read the OPEN circuit do.
  clock.advance(Math.max(...[reader, another, opener].map((t) => t.breaker.config.storeTimeoutMs)));
  await Promise.all([reader, another, opener].map((t) => expect(t.breaker.call(succeeding)).rejects.toBeInstanceOf(CircuitOpenError)));
  await Promise.all([reader, another, opener].map((t) => t.breaker.idle()));
  const transitions = () => [reader, another, opener].flatMap((t) => metricNames(t.metrics)).filter((m) => m !== 'StoreUnavailable');
  expect(transitions()).toEqual(['CircuitOpened']);
  // Later readers find it announced.
  clock.advance(1_000);
  await ignoreErrors(() => another.breaker.call(succeeding));
  await another.breaker.idle();
  expect(transitions()).toEqual(['CircuitOpened']);
  opener.client.destroy();
});
