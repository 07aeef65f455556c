/**
 * Our CircuitBreaker client vs the npm package `circuitbreaker-lambda`, side by side on one private DynamoDB
 * Local: DynamoDB requests per 1,000 healthy guarded calls, overhead per guarded call, and how many probes 20
 * execution environments send when the open timeout ends.
 */
import { CreateTableCommand, DynamoDBClient, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CircuitStateServer } from '../../lambda/circuit-breaker-extension/state-server';
import { CircuitBreaker, CircuitBreakerOptions } from '../../lambda/runtime/circuit-breaker/breaker';
import { recordToItem } from '../../lambda/runtime/circuit-breaker/codec';
import { CircuitOpenError } from '../../lambda/runtime/circuit-breaker/errors';
import { CircuitStore } from '../../lambda/runtime/circuit-breaker/store';
import { CircuitState } from '../../lambda/runtime/circuit-breaker/types';
import { DynamoDbLocal, startDynamoDbLocal } from '../../scripts/dynamodb-local';
import { loadPeer, PeerCircuitBreaker } from '../circuitbreaker-lambda-peer';
import { BenchSection, fmt, median, table, timeRuns } from '../stats';

const RUNS = 5;
const CALLS = 1_000;
const ENVIRONMENTS = 20;
/** How long the dependency takes to answer a probe: long enough for every environment to arrive while it runs. */
const PROBE_LATENCY_MS = 20;
const PEER_CIRCUIT = 'bench-peer-function';

interface Counted {
  readonly client: DynamoDBClient;
  requests(): number;
  reset(): void;
}

function countedClient(endpoint: string): Counted {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  let n = 0;
  client.middlewareStack.add((next) => async (args) => {
    n++;
    return next(args);
  }, { step: 'initialize', name: 'benchCountRequests' });
  return { client, requests: () => n, reset: () => (n = 0) };
}

async function createTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(new CreateTableCommand({
    TableName: name,
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  }));
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: name });
}

const quiet = { logger: { log: () => undefined }, metricSink: () => undefined, env: {} };
const healthy = async () => 'ok';

/** Per-call wall times (µs) of `CALLS` sequential calls of `call`. */
async function perCallMicros(call: () => Promise<unknown>): Promise<number[]> {
  return (await timeRuns(CALLS, call, 0)).map((ms) => ms * 1e3);
}

/** Silences the peer's console.log state announcements while `fn` runs. */
async function withoutConsoleLog<T>(fn: () => Promise<T>): Promise<T> {
  const original = console.log;
  console.log = () => undefined;
  try {
    return await fn();
  } finally {
    console.log = original;
  }
}

interface Variant {
  readonly label: string;
  /** Makes one environment's guarded call and a counter of the DynamoDB requests it (and its extension) sent. */
  setup(runId: string): Promise<{ call: () => Promise<unknown>; requests: () => number; teardown: () => Promise<void> }>;
}

export async function run(): Promise<BenchSection> {
  const ddb: DynamoDbLocal = await startDynamoDbLocal();
  try {
    const admin = countedClient(ddb.endpoint);
    const ourTable = 'bench-circuits';
    const peerTable = 'bench-peer-circuits';
    await createTable(admin.client, ourTable);
    await createTable(admin.client, peerTable);
    const peerCounter = countedClient(ddb.endpoint);
    const Peer: PeerCircuitBreaker = loadPeer(peerCounter.client, peerTable, PEER_CIRCUIT);

    const ours = (settings: Partial<CircuitBreakerOptions>, withExtension: boolean): Variant['setup'] => async (runId) => {
      const fn = countedClient(ddb.endpoint);
      const ext = countedClient(ddb.endpoint);
      let server: CircuitStateServer | undefined;
      let extensionPort: number | undefined;
      if (withExtension) {
        server = new CircuitStateServer({ store: new CircuitStore(ext.client, ourTable), maxAgeMs: 1_000, logger: quiet.logger });
        extensionPort = await server.listen(0);
      }
      const breaker = new CircuitBreaker({ ...quiet, tableName: ourTable, circuitId: `healthy-${runId}`, dynamoDbClient: fn.client, extensionPort, ...settings });
      return {
        call: () => breaker.call(healthy),
        requests: () => fn.requests() + ext.requests(),
        teardown: async () => {
          breaker.close();
          await server?.close();
          fn.client.destroy();
          ext.client.destroy();
        },
      };
    };
    const variants: Variant[] = [
      { label: 'ours, extension cache (max age 1 s), no in-process cache', setup: ours({ stateMaxAgeMs: 0 }, true) },
      { label: 'ours, direct reads, in-process cache 1 s (default without extension)', setup: ours({ stateMaxAgeMs: 1_000 }, false) },
      { label: 'ours, direct GetItem on every call (cache off)', setup: ours({ stateMaxAgeMs: 0 }, false) },
      {
        label: 'circuitbreaker-lambda 0.0.1',
        setup: async () => {
          await admin.client.send(new PutItemCommand({ TableName: peerTable, Item: { id: { S: PEER_CIRCUIT }, circuitState: { S: 'CLOSED' }, failureCount: { N: '0' }, successCount: { N: '0' }, nextAttempt: { N: '0' } } }));
          const breaker = new Peer(healthy);
          peerCounter.reset();
          return { call: () => breaker.fire(), requests: () => peerCounter.requests(), teardown: async () => undefined };
        },
      },
    ];

    // 1 + 2: requests per 1,000 healthy calls and per-call latency, measured in the same runs.
    const rows: Array<{ label: string; requests: number; overheadUs: number }> = [];
    const bareMedians: number[] = [];
    for (let r = 0; r < RUNS; r++) bareMedians.push(median(await perCallMicros(healthy)));
    const bare = median(bareMedians);
    for (const variant of variants) {
      const requests: number[] = [];
      const latencies: number[] = [];
      // One discarded warm-up run per variant (JIT, sockets), then RUNS measured runs.
      for (let r = -1; r < RUNS; r++) {
        const env = await variant.setup(`${variant.label.length}-${r}-${Date.now()}`);
        const times = await withoutConsoleLog(() => perCallMicros(env.call));
        if (r >= 0) {
          requests.push(env.requests());
          latencies.push(median(times));
        }
        await env.teardown();
      }
      rows.push({ label: variant.label, requests: median(requests), overheadUs: median(latencies) - bare });
    }
    const peerRequests = rows[rows.length - 1].requests;

    // 3: 20 environments arrive when the open timeout has ended.
    const herd = async (kind: 'ours' | 'peer', r: number) => {
      let probes = 0;
      const probe = async () => {
        probes++;
        await new Promise((res) => setTimeout(res, PROBE_LATENCY_MS));
        return 'recovered';
      };
      if (kind === 'peer') {
        await admin.client.send(new PutItemCommand({
          TableName: peerTable,
          Item: { id: { S: PEER_CIRCUIT }, circuitState: { S: 'OPEN' }, failureCount: { N: '5' }, successCount: { N: '0' }, nextAttempt: { N: String(Date.now() - 1) } },
        }));
        peerCounter.reset();
        const envs = Array.from({ length: ENVIRONMENTS }, () => new Peer(probe));
        await withoutConsoleLog(() => Promise.allSettled(envs.map((e) => e.fire())));
        return { probes, requests: peerCounter.requests() };
      }
      const circuitId = `herd-${r}-${Date.now()}`;
      const now = Date.now();
      await admin.client.send(new PutItemCommand({
        TableName: ourTable,
        Item: recordToItem({
          id: circuitId,
          state: CircuitState.OPEN,
          version: 1,
          consecutiveOpenings: 0,
          successCount: 0,
          openedAt: now - 30_000,
          openUntil: now - 1,
          updatedAt: now - 30_000,
          expiration: Math.floor(now / 1000) + 3_600,
        }),
      }));
      // Each environment has its own client (its own connections), as separate Lambda environments would.
      const envs = Array.from({ length: ENVIRONMENTS }, () => countedClient(ddb.endpoint));
      const breakers = envs.map((e) => new CircuitBreaker({ ...quiet, tableName: ourTable, circuitId, dynamoDbClient: e.client, stateMaxAgeMs: 0 }));
      const results = await Promise.allSettled(breakers.map((b) => b.call(probe)));
      const unexpected = results.filter((x) => x.status === 'rejected' && !CircuitOpenError.is(x.reason));
      if (unexpected.length) throw new Error(`unexpected errors in the herd: ${unexpected.map((x) => String((x as PromiseRejectedResult).reason)).join('; ')}`);
      const requests = envs.reduce((n, e) => n + e.requests(), 0);
      envs.forEach((e) => e.client.destroy());
      return { probes, requests };
    };
    const herdRows: Array<{ label: string; probes: number[]; requests: number[] }> = [];
    for (const kind of ['ours', 'peer'] as const) {
      const probes: number[] = [];
      const requests: number[] = [];
      for (let r = 0; r < RUNS; r++) {
        const out = await herd(kind, r);
        probes.push(out.probes);
        requests.push(out.requests);
      }
      herdRows.push({ label: kind === 'ours' ? 'ours' : 'circuitbreaker-lambda 0.0.1', probes, requests });
    }
    admin.client.destroy();
    peerCounter.client.destroy();

    const ratio = (n: number) => (peerRequests > 0 ? `${fmt((100 * n) / peerRequests, 2)} %` : 'n/a');
    const body = [
      `### DynamoDB requests and overhead per healthy guarded call (${CALLS} sequential calls per run, median of ${RUNS} runs)`,
      '',
      table(
        ['variant', `DynamoDB requests per ${CALLS} calls`, 'vs circuitbreaker-lambda', 'median overhead per call (µs)'],
        rows.map((r) => [r.label, r.requests, ratio(r.requests), fmt(r.overheadUs, 1)]),
      ),
      '',
      `### ${ENVIRONMENTS} environments call at once when the open timeout has ended (probe takes ${PROBE_LATENCY_MS} ms; ${RUNS} runs)`,
      '',
      table(
        ['breaker', 'probes sent to the dependency (median)', 'probes per run', 'DynamoDB requests (median)'],
        herdRows.map((h) => [h.label, median(h.probes), h.probes.join(', '), median(h.requests)]),
      ),
    ].join('\n');
    const method = [
      'Both breakers run in this process against one private DynamoDB Local (the real jar on the local JVM) started by the section;',
      'every DynamoDB request is counted by an SDK middleware on the client that sent it (the extension\'s client included).',
      '`circuitbreaker-lambda` needs AWS SDK v2, so it gets a stand-in `DynamoDB.DocumentClient` (get/update with `.promise()`) over SDK v3.',
      '"Extension cache" is the extension\'s cache server (lambda/circuit-breaker-extension/state-server.ts) run in-process on 127.0.0.1',
      `with its default 1 s max age; the client asks it over HTTP on every call. Cached variants are measured on ${CALLS} back-to-back calls,`,
      'so their request counts reflect one cache period; at a sustained rate they send at most one read per circuit per max age, whatever the call rate.',
      'The ratio to circuitbreaker-lambda (two requests per call) therefore depends on the call rate of each environment: about 50 % at one call per',
      'second, 1 % at 50 calls per second, less above. The table is the best case, not a typical low-traffic function.',
      `Overhead = median per-call time minus the median time of calling the unguarded function (${fmt(bare, 2)} µs).`,
      `In the herd, each of the ${ENVIRONMENTS} environments is a separate breaker instance with its own DynamoDB client and no cache; the circuit item is OPEN`,
      'with its open period just ended; "probes" counts invocations of the guarded function.',
    ].join(' ');
    return { title: 'Circuit breaker vs circuitbreaker-lambda', method, body };
  } finally {
    await ddb.stop();
  }
}
