/**
 * The extension's cache server in-process (so DynamoDB requests can be counted and held in flight): how old what
 * it serves may be, that a lookup does not wait for DynamoDB while an entry is being refreshed, the client's own
 * cache over it, and the client's fallback to direct reads when the extension is absent or cannot answer.
 */
import { createServer } from 'node:net';
import { CircuitStateServer } from '../../../lambda/circuit-breaker-extension/state-server';
import { CircuitStore } from '../../../lambda/runtime/circuit-breaker/store';
import { windowTotals } from '../../../lambda/runtime/circuit-breaker/types';
import { localDynamoDbClient } from '../../support/dynamodb-local';
import {
  captureLogger, closedPort, countingClient, createCircuitTable, failing, gateReads, ignoreErrors, ManualClock, RequestCounter, settlesWithoutIo,
  succeeding, testBreaker,
} from '../runtime/circuit-breaker/support';

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

/** A server on a counted client whose reads can be held, on a manual clock; closed after `run`. */
async function withGatedServer(run: (f: {
  server: CircuitStateServer;
  port: number;
  client: ReturnType<typeof countingClient>['client'];
  counter: RequestCounter;
  gate: ReturnType<typeof gateReads>;
  clock: ManualClock;
  t0: number;
}) => Promise<void>): Promise<void> {
  const { client, counter } = countingClient();
  const gate = gateReads(client);
  const clock = new ManualClock();
  const { server, port } = await startServer(new CircuitStore(client, table), clock);
  try {
    await run({ server, port, client, counter, gate, clock, t0: clock.time });
  } finally {
    gate.open();
    await server.close();
    client.destroy();
  }
}

test('warm() reads, in the background, only entries missing or due for a refresh (cached ones included)', () => withGatedServer(async ({ server, counter, clock }) => {
  server.warm(['a', 'b']);
  await server.idle();
  server.warm(['a', 'b']);
  await server.idle();
  expect(counter.count('GetItemCommand')).toBe(2);
  clock.advance(750);
  server.warm(['a']); // b is cached and due too
  await server.idle();
  expect(counter.count('GetItemCommand')).toBe(4);
}));

test('an entry is stamped when its read was sent: a read in flight across a freeze comes back as old as it is', () => withGatedServer(async ({ server, counter, gate, clock, t0 }) => {
  gate.close();
  const first = server.lookup('frozen');
  await gate.reached();
  clock.advance(10_000); // frozen with the read in flight, thawed 10 s later
  gate.open();
  expect((await first).fetchedAt).toBe(t0);
  // Ten seconds old, not fresh: the next lookup reads again.
  await server.lookup('frozen');
  expect(counter.count('GetItemCommand')).toBe(2);
  expect(server.stats).toMatchObject({ misses: 2, hits: 0 });
}));

test('from three quarters of the max age a lookup answers at once and the entry is refreshed in the background', () => withGatedServer(async ({ server, gate, clock, t0 }) => {
  await server.lookup('ahead');
  clock.advance(800);
  gate.close();
  const answer = server.lookup('ahead');
  expect(await settlesWithoutIo(answer)).toBe(true);
  expect((await answer).fetchedAt).toBe(t0);
  expect(gate.held).toBe(1);
  expect(server.stats).toMatchObject({ refreshesAhead: 1, hits: 1 });
  gate.open();
  await server.idle();
  expect((await server.lookup('ahead')).fetchedAt).toBe(t0 + 800);
}));

test('a lookup for state newer than the entry waits for the refresh; if the read fails, the entry still answers', () => withGatedServer(async ({ server, client, gate, clock, t0 }) => {
  await server.lookup('newer');
  expect((await server.lookup('newer', t0 - 1)).fetchedAt).toBe(t0); // already newer: at once
  clock.advance(100);
  gate.close();
  const newer = server.lookup('newer', t0);
  expect(await settlesWithoutIo(newer)).toBe(false);
  gate.open();
  expect((await newer).fetchedAt).toBe(t0 + 100);

  client.middlewareStack.add(() => async () => {
    throw new Error('connect ECONNREFUSED');
  }, { step: 'initialize', name: 'storeDown', priority: 'high' });
  clock.advance(100);
  expect((await server.lookup('newer', t0 + 100)).fetchedAt).toBe(t0 + 100);
}));

test('over the extension, the client keeps state for its max age: calls send no HTTP request, and none waits for DynamoDB', () => withGatedServer(async ({ server, port, gate, clock }) => {
  const t = testBreaker(table, { extensionPort: port, clock, stateMaxAgeMs: 1_000 });
  const lookups = () => server.stats.hits + server.stats.misses + server.stats.newerWaits;
  try {
    for (let i = 0; i < 20; i++) await t.breaker.call(succeeding);
    expect(lookups()).toBe(1);
    clock.advance(800);
    gate.close(); // from now on DynamoDB does not answer
    const call = t.breaker.call(succeeding);
    expect(await settlesWithoutIo(call)).toBe(true);
    // After the call, the client asks the extension for newer state in the background; the extension refreshes its
    // entry from DynamoDB (held here) and answers once it has. Only that background request waits.
    await gate.reached();
    expect(server.stats.newerWaits).toBe(1);
    gate.open();
    await t.breaker.idle();
    expect(t.counter.total).toBe(0);
    // The client now holds state read at 800 ms: at 1 100 ms it is still fresh, the call again costs no I/O.
    clock.advance(300);
    expect(await settlesWithoutIo(t.breaker.call(succeeding))).toBe(true);
    expect(lookups()).toBe(2);
  } finally {
    t.breaker.close();
  }
}));

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
    expect(windowTotals(await t.breaker.readState())).toEqual({ calls: 1, failures: 1 });
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
