/**
 * The extension's cache server in-process (so DynamoDB requests can be counted), and the client's fallback to
 * direct reads when the extension is absent or cannot answer.
 */
import { createServer } from 'node:net';
import { CircuitStateServer } from '../../../lambda/circuit-breaker-extension/state-server';
import { CircuitStore } from '../../../lambda/runtime/circuit-breaker/store';
import { localDynamoDbClient } from '../../support/dynamodb-local';
import { captureLogger, closedPort, countingClient, createCircuitTable, failing, ignoreErrors, ManualClock, succeeding, testBreaker } from '../runtime/circuit-breaker/support';

let table: string;
beforeAll(async () => {
  table = await createCircuitTable('state-server');
});

async function startServer(store: CircuitStore, clock: ManualClock, maxAgeMs = 1_000) {
  const logger = captureLogger();
  const server = new CircuitStateServer({ store, maxAgeMs, now: () => clock.now(), logger });
  const port = await server.listen(0);
  return { server, port, logger };
}

test('concurrent misses for one circuit share a single DynamoDB read; entries expire after the max age', async () => {
  const { client, counter } = countingClient();
  const clock = new ManualClock();
  // The DynamoDB read is held open until all ten requests have reached the server, so the test does not depend on
  // how fast the local HTTP requests arrive compared with the read.
  let release!: () => void;
  const gate = new Promise<void>((resolve) => { release = resolve; });
  class GatedStore extends CircuitStore {
    public override async read(id: string) {
      await gate;
      return super.read(id);
    }
  }
  const { server, port } = await startServer(new GatedStore(client, table), clock);
  try {
    const pending = Promise.all(Array.from({ length: 10 }, async () => (await fetch(`http://127.0.0.1:${port}/circuits/shared`)).json() as Promise<{ record: unknown }>));
    while (server.stats.misses < 10) await new Promise((resolve) => setTimeout(resolve, 5));
    release();
    const responses = await pending;
    expect(responses.every((r) => r.record === null)).toBe(true);
    expect(counter.count('GetItemCommand')).toBe(1);
    expect(server.stats).toMatchObject({ reads: 1, misses: 10, hits: 0 });

    await fetch(`http://127.0.0.1:${port}/circuits/shared`);
    expect(counter.count('GetItemCommand')).toBe(1);
    clock.advance(1_000);
    await fetch(`http://127.0.0.1:${port}/circuits/shared`);
    expect(counter.count('GetItemCommand')).toBe(2);
  } finally {
    await server.close();
    client.destroy();
  }
});

test('warm() reads only missing or expired entries', async () => {
  const { client, counter } = countingClient();
  const clock = new ManualClock();
  const { server } = await startServer(new CircuitStore(client, table), clock);
  try {
    await server.warm(['a', 'b']);
    await server.warm(['a', 'b']);
    expect(counter.count('GetItemCommand')).toBe(2);
    clock.advance(1_000);
    await server.warm(['a']);
    expect(counter.count('GetItemCommand')).toBe(3);
  } finally {
    await server.close();
    client.destroy();
  }
});

test('answers 503 when DynamoDB cannot be read, and the breaker then reads DynamoDB itself', async () => {
  const down = localDynamoDbClient({ endpoint: `http://127.0.0.1:${await closedPort()}`, maxAttempts: 1 });
  const clock = new ManualClock();
  const { server, port, logger } = await startServer(new CircuitStore(down, table), clock);
  try {
    const res = await fetch(`http://127.0.0.1:${port}/circuits/x`);
    expect(res.status).toBe(503);
    expect(logger.entries[0]).toMatchObject({ level: 'WARN', message: 'extension could not read circuit state' });

    const t = testBreaker(table, { extensionPort: port, clock });
    await ignoreErrors(() => t.breaker.call(failing));
    await t.breaker.call(succeeding);
    expect(t.counter.count('GetItemCommand')).toBe(2);
    expect((await t.breaker.readState()).failureCount).toBe(0);
    t.breaker.close();
  } finally {
    await server.close();
    down.destroy();
  }
});

test('a server without a table answers 503', async () => {
  const server = new CircuitStateServer({ maxAgeMs: 1_000, logger: captureLogger() });
  const port = await server.listen(0);
  try {
    expect((await fetch(`http://127.0.0.1:${port}/circuits/x`)).status).toBe(503);
  } finally {
    await server.close();
  }
});

test('with no extension listening, the breaker reads DynamoDB directly and logs the outage once', async () => {
  const t = testBreaker(table, { extensionPort: await closedPort(), extensionTimeoutMs: 100 });
  for (let i = 0; i < 5; i++) await t.breaker.call(succeeding);
  expect(t.counter.count('GetItemCommand')).toBe(5);
  const warnings = t.logger.entries.filter((e) => e.message.includes('extension unavailable'));
  expect(warnings).toHaveLength(1);
  expect(warnings[0].fields).toMatchObject({ error: { message: expect.stringContaining('ECONNREFUSED') } });
  t.breaker.close();
});

test('an extension that does not answer in time is abandoned after extensionTimeoutMs', async () => {
  // Reads (so it notices the client hanging up) but never answers.
  const silent = createServer((socket) => socket.resume());
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  const port = (silent.address() as { port: number }).port;
  const extensionTimeoutMs = 50;
  const t = testBreaker(table, { extensionPort: port, extensionTimeoutMs });
  try {
    const started = Date.now();
    // The extension never answers: only the timeout ends the wait (bounded relative to it, not in absolute time).
    await expect(t.breaker.call(succeeding)).resolves.toBe('ok');
    expect(Date.now() - started).toBeLessThan(20 * extensionTimeoutMs);
    expect(t.counter.count('GetItemCommand')).toBe(1);
  } finally {
    t.breaker.close();
    await new Promise((r) => silent.close(r));
  }
});
