/**
 * The breaker at the edges of its model, each a failure reproduced against DynamoDB Local: sparse fleets, a window
 * whose start loses a race, reads in flight across a freeze (directly, through the extension's state server, and
 * through the client over the extension), and the time a call may take whatever the store does.
 */
import { performance } from 'node:perf_hooks';
import { DelayingProxy } from './delaying-proxy';
import {
  captureLogger, createCircuitTable, failing, gateCommand, holdAnswers, ignoreErrors, ManualClock, succeeding, testBreaker,
} from './support';
import { CircuitStateServer } from '../../../../lambda/circuit-breaker-extension/state-server';
import { CircuitBreakerOptions } from '../../../../lambda/runtime/circuit-breaker/breaker';
import { CircuitOpenError } from '../../../../lambda/runtime/circuit-breaker/errors';
import { CircuitStore, defaultDynamoDbClient } from '../../../../lambda/runtime/circuit-breaker/store';
import { CircuitState, FailureCounting, windowTotals } from '../../../../lambda/runtime/circuit-breaker/types';
import { dynamoDbLocalEndpoint, localDynamoDbClient } from '../../../support/dynamodb-local';

let table: string;
beforeAll(async () => {
  table = await createCircuitTable('edges');
});

const RATE_DEFAULTS: Partial<CircuitBreakerOptions> = {
  failureCounting: FailureCounting.RATE,
  failureThreshold: undefined,
  failureRateThreshold: 50,
  minimumCalls: 20,
  failureWindowMs: 30_000,
  tallyFlushIntervalMs: 1_000,
  stateMaxAgeMs: 1_000,
};

describe('counting', () => {
  test('a sparse fleet opens: 25 environments calling once each, 0.5 s apart, all failing', async () => {
    const clock = new ManualClock();
    const first = testBreaker(table, { ...RATE_DEFAULTS, clock });
    const fleet = [first, ...Array.from({ length: 24 }, () => testBreaker(table, { ...RATE_DEFAULTS, clock, circuitId: first.circuitId }))];
    for (const env of fleet) {
      await ignoreErrors(() => env.breaker.call(failing));
      clock.advance(500);
    }
    const record = await first.breaker.readState();
    // The rule: ≥ 50 % of ≥ 20 calls within 30 s. The 20th call reached it.
    expect(record.state).toBe(CircuitState.OPEN);
    expect(record.openedAt).toBe(clock.time - 6 * 500);
  });

  test('WINDOW: a failure whose window-starting write lost the race counts in the window that won', async () => {
    const clock = new ManualClock();
    const a = testBreaker(table, { clock, failureThreshold: 2, stateMaxAgeMs: 1_000 });
    const b = testBreaker(table, { clock, failureThreshold: 2, stateMaxAgeMs: 1_000, circuitId: a.circuitId });
    await a.breaker.call(succeeding); // both know the circuit: CLOSED, no window
    await b.breaker.call(succeeding);
    const gate = gateCommand(a.client, 'UpdateItemCommand');
    gate.close();
    const aFails = ignoreErrors(() => a.breaker.call(failing)); // fails at t, its window start is slow to leave
    await gate.reached();
    clock.advance(50);
    await ignoreErrors(() => b.breaker.call(failing)); // fails at t + 50 and starts the window
    gate.open();
    await aFails;
    const record = await a.breaker.readState();
    // Two failures within one window: the threshold is met.
    expect(record.state).toBe(CircuitState.OPEN);
  });
});

describe('a read in flight across a freeze is judged by when it was sent', () => {
  const FREEZE_MS = 60_000;

  test('directly: a call after the thaw does not act on the shared read sent before the freeze', async () => {
    const clock = new ManualClock();
    const t = testBreaker(table, { clock, stateMaxAgeMs: 1_000 });
    const opener = testBreaker(table, { clock, circuitId: t.circuitId, failureThreshold: 1 });
    const answers = holdAnswers(t.client, 'GetItemCommand');
    await t.breaker.call(succeeding);
    clock.advance(750);
    answers.close();
    await t.breaker.call(succeeding); // cached CLOSED; starts a background refresh, whose answer is held
    await answers.reached();
    clock.advance(FREEZE_MS); // frozen with the read in flight; meanwhile another environment opens the circuit
    await ignoreErrors(() => opener.breaker.call(failing));
    expect((await opener.breaker.readState()).state).toBe(CircuitState.OPEN);

    let ran = false;
    const afterThaw = t.breaker.call(async () => (ran = true));
    await new Promise((r) => setImmediate(r)); // the call has joined the refresh in flight
    answers.open();
    await expect(afterThaw).rejects.toBeInstanceOf(CircuitOpenError);
    expect(ran).toBe(false);
  });

  test('through the extension\'s state server: a lookup after the thaw does not get the read sent before it', async () => {
    const { clock, client, answers, server } = heldStateServer();
    const opener = testBreaker(table, { clock, failureThreshold: 1 });
    try {
      await server.lookup(opener.circuitId);
      clock.advance(750);
      answers.close();
      await server.lookup(opener.circuitId); // a hit, and a refresh ahead whose answer is held
      await answers.reached();
      clock.advance(FREEZE_MS);
      await ignoreErrors(() => opener.breaker.call(failing));
      const lookupStart = clock.now();
      const afterThaw = server.lookup(opener.circuitId);
      await new Promise((r) => setImmediate(r));
      answers.open();
      const entry = await afterThaw;
      expect(entry.fetchedAt).toBeGreaterThan(lookupStart - 1_000);
      expect(entry.record.state).toBe(CircuitState.OPEN);
    } finally {
      await server.close();
      client.destroy();
    }
  });

  test('through the client over the extension: the extension\'s answer to a request sent before the freeze is too old', async () => {
    const { clock, client, answers, server } = heldStateServer();
    const port = await server.listen(0);
    const t = testBreaker(table, { clock, stateMaxAgeMs: 1_000, extensionPort: port, extensionTimeoutMs: 1_000 });
    const opener = testBreaker(table, { clock, circuitId: t.circuitId, failureThreshold: 1 });
    try {
      await t.breaker.call(succeeding);
      clock.advance(750);
      answers.close();
      await t.breaker.call(succeeding); // background refresh: asks the extension for newer state, which reads (held)
      await answers.reached();
      clock.advance(FREEZE_MS);
      await ignoreErrors(() => opener.breaker.call(failing));
      let ran = false;
      const afterThaw = t.breaker.call(async () => (ran = true));
      await new Promise((r) => setImmediate(r));
      answers.open();
      await expect(afterThaw).rejects.toBeInstanceOf(CircuitOpenError);
      expect(ran).toBe(false);
    } finally {
      t.breaker.close();
      await server.close();
      client.destroy();
    }
  });
});

describe('the call\'s time budget', () => {
  let proxy: DelayingProxy;
  beforeAll(async () => {
    proxy = new DelayingProxy(dynamoDbLocalEndpoint(), 10_000);
  });
  afterAll(() => proxy.close());

  test('a slow read, a call that times out and a count write that hangs: the call returns within callTimeout + 2 store budgets', async () => {
    const endpoint = await proxy.start();
    const storeTimeoutMs = 400;
    const callTimeoutMs = 500;
    const client = defaultDynamoDbClient(storeTimeoutMs, { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
    const t = testBreaker(table, { dynamoDbClient: client, storeTimeoutMs, callTimeoutMs, probeLeaseMs: 5_000 });
    await t.breaker.call(succeeding); // connection set up
    proxy.delays.set('GetItem', 100);
    proxy.swallowed.add('UpdateItem');
    const started = performance.now();
    await expect(t.breaker.call(() => new Promise(() => undefined))).rejects.toThrow(/did not settle within 500 ms/);
    const took = performance.now() - started;
    // What the construct validates a function's timeout against (callTimeout + 2 × the store budget), with 50 ms of slack.
    expect(took).toBeLessThan(callTimeoutMs + 2 * storeTimeoutMs + 50);
    expect(t.logger.entries).toContainEqual(expect.objectContaining({ message: 'circuit state store unavailable; could not count failure' }));
    expect(t.metrics.map((m) => JSON.parse(m)._aws.CloudWatchMetrics[0].Metrics[0].Name)).toContain('StoreUnavailable');
    proxy.swallowed.clear();
    proxy.delays.clear();
    client.destroy();
  });
});

test('the tallies stay exact: a window of one environment holds exactly its calls', async () => {
  const clock = new ManualClock();
  const t = testBreaker(table, { ...RATE_DEFAULTS, clock });
  await ignoreErrors(() => t.breaker.call(failing));
  for (let i = 0; i < 5; i++) {
    clock.advance(1_000);
    await t.breaker.call(succeeding);
  }
  expect(windowTotals(await t.breaker.readState())).toEqual({ calls: 6, failures: 1 });
});

/** A state server over DynamoDB Local on a manual clock, whose GetItem answers can be held (a read across a freeze). */
function heldStateServer() {
  const clock = new ManualClock();
  const client = localDynamoDbClient({ maxAttempts: 1 });
  const answers = holdAnswers(client, 'GetItemCommand');
  const server = new CircuitStateServer({
    store: new CircuitStore(client, table),
    maxAgeMs: 1_000,
    now: () => clock.now(),
    logger: captureLogger(),
  });
  return { clock, client, answers, server };
}
