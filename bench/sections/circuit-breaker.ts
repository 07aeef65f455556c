/**
 * Our CircuitBreaker client on each of its paths vs the npm package `circuitbreaker-lambda`, side by side in one
 * run on one private DynamoDB Local: overhead per guarded call against an unguarded call made the same way in the
 * same run (p50, p99) at 1, 10 and 50 calls per second per environment, DynamoDB reads per 1,000 calls at those
 * rates, the extension process's memory, and how many probes 20 execution environments send when the open timeout
 * ends.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { CircuitBreaker, CircuitBreakerOptions } from '../../lambda/runtime/circuit-breaker/breaker';
import { recordToItem } from '../../lambda/runtime/circuit-breaker/codec';
import { CircuitOpenError } from '../../lambda/runtime/circuit-breaker/errors';
import { CircuitState } from '../../lambda/runtime/circuit-breaker/types';
import { CIRCUIT_BREAKER_DEFAULTS as D } from '../../lib/circuit-breaker/contract';
import { DynamoDbLocal, startDynamoDbLocal } from '../../scripts/dynamodb-local';
import { bundleExtension, startExtensionProcess } from '../../test/lambda/circuit-breaker-extension/extension-process';
import { loadPeer, PeerCircuitBreaker } from '../circuitbreaker-lambda-peer';
import { BenchSection, fmt, median, table } from '../stats';

/** How long the environments of the cached paths keep calling, then those of the paths that read on every call. */
const CACHED_DURATION_MS = 45_000;
const UNCACHED_DURATION_MS = 20_000;
/** Latency percentiles are taken per slice of the run, and the median of the slices is reported. */
const SLICES = 5;
/** Calls per second of one environment, and how many environments call at that rate, per path. */
const RATES = [{ rate: 1, environments: 3 }, { rate: 10, environments: 3 }, { rate: 50, environments: 1 }];
/** Each group of paths runs beside an environment set calling the bare function, the peer overhead is measured against. */
const UNGUARDED = 'unguarded call (same loop, no breaker)';
const HERD = 20;
const RUNS = 5;
/** How long the dependency takes to answer a probe: long enough for every environment to arrive while it runs. */
const PROBE_LATENCY_MS = 20;
const PEER_CIRCUIT = 'bench-peer-function';

const quiet = { logger: { log: () => undefined }, metricSink: () => undefined, env: {} };
const healthy = async () => 'ok';

/** The rate group a DynamoDB request belongs to, carried through every promise a call starts. */
const group = new AsyncLocalStorage<string>();

/** A DynamoDB Local client counting its GetItem requests per rate group (and all its requests). */
function countedClient(endpoint: string) {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const reads = new Map<string, number>();
  let requests = 0;
  client.middlewareStack.add((next, context) => async (args) => {
    requests++;
    if (context.commandName === 'GetItemCommand' || context.commandName === 'GetCommand') {
      const key = group.getStore() ?? 'none';
      reads.set(key, (reads.get(key) ?? 0) + 1);
    }
    return next(args);
  }, { step: 'initialize', name: 'benchCountRequests' });
  return { client, readsOf: (key: string) => reads.get(key) ?? 0, requests: () => requests, reset: () => void (requests = 0) };
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

/** One execution environment of one path. */
interface Environment {
  call(): Promise<unknown>;
  /** DynamoDB reads its extension process made (the in-process clients are counted by rate group). */
  extensionReads(): Promise<number>;
  /** Resident memory of its extension process, KiB. */
  extensionRssKiB(): number | undefined;
  close(): Promise<void>;
}

interface Path {
  readonly label: string;
  environment(circuitId: string): Promise<Environment>;
}

/** The extension as the layer ships it, in its own process, driven by a stand-in Extensions API. */
async function extensionEnvironment(
  executable: string, endpoint: string, tableName: string, circuitId: string, client: DynamoDBClient, options: Partial<CircuitBreakerOptions> = {},
): Promise<Environment> {
  const env = { CIRCUIT_BREAKER_CIRCUIT_IDS: circuitId };
  const { api, child, port, exited } = await startExtensionProcess(executable, { endpoint, table: tableName, env });
  const breaker = new CircuitBreaker({ ...quiet, tableName, circuitId, dynamoDbClient: client, extensionPort: port, ...options });
  return {
    call: () => breaker.call(healthy),
    extensionReads: async () => ((await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as { stats: { reads: number } }).stats.reads,
    extensionRssKiB: () => {
      const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
      return match ? Number(match[1]) : undefined;
    },
    close: async () => {
      breaker.close();
      api.push({ eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs: Date.now() + 2_000 });
      await exited;
      await api.close();
    },
  };
}

/** The same function called with no breaker, in the same loop as the guarded ones: what the overhead is measured against. */
function unguardedEnvironment(): Environment {
  return { call: healthy, extensionReads: async () => 0, extensionRssKiB: () => undefined, close: async () => undefined };
}

function inProcessEnvironment(options: Partial<CircuitBreakerOptions>): Environment {
  const breaker = new CircuitBreaker({ ...quiet, ...options });
  return { call: () => breaker.call(healthy), extensionReads: async () => 0, extensionRssKiB: () => undefined, close: async () => breaker.close() };
}

interface Measured {
  readonly path: string;
  readonly rate: number;
  calls: number;
  reads: number;
  /** Per slice of the run, the wall time of each call, µs. */
  readonly latenciesUs: number[][];
  readonly rssKiB: number[];
}

/** Every environment of every path calls at its rate for the duration, in this one event loop. */
async function sustained(paths: Path[], counted: ReturnType<typeof countedClient>, durationMs: number): Promise<Measured[]> {
  const measured: Measured[] = [];
  const runs: Array<Promise<void>> = [];
  const environments: Array<{ env: Environment; m: Measured }> = [];
  for (const path of paths) {
    for (const { rate, environments: count } of RATES) {
      const m: Measured = { path: path.label, rate, calls: 0, reads: 0, latenciesUs: Array.from({ length: SLICES }, () => []), rssKiB: [] };
      measured.push(m);
      for (let i = 0; i < count; i++) environments.push({ env: await path.environment(`sustained-${path.label.length}-${rate}-${Date.now()}`), m });
    }
  }
  const startAt = Date.now();
  const endAt = startAt + durationMs;
  for (const { env, m } of environments) {
    const key = `${m.path}@${m.rate}`;
    const gap = 1_000 / m.rate;
    runs.push(group.run(key, async () => {
      await new Promise((r) => setTimeout(r, Math.random() * gap));
      for (let first = true; Date.now() < endAt; first = false) {
        const started = process.hrtime.bigint();
        await env.call();
        // An environment's first call reads its state (a cold start), not a sustained-rate call.
        const slice = Math.min(SLICES - 1, Math.floor(((Date.now() - startAt) * SLICES) / durationMs));
        if (!first) m.latenciesUs[slice].push(Number(process.hrtime.bigint() - started) / 1e3);
        m.calls++;
        await new Promise((r) => setTimeout(r, gap * (0.5 + Math.random())));
      }
    }));
  }
  await Promise.all(runs);
  for (const { env, m } of environments) {
    m.reads += await env.extensionReads();
    const rss = env.extensionRssKiB();
    if (rss !== undefined) m.rssKiB.push(rss);
    await env.close();
  }
  for (const m of measured) m.reads += counted.readsOf(`${m.path}@${m.rate}`);
  return measured;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** `HERD` environments call at once when the open timeout has ended: how many probes reach the dependency. */
async function herd(kind: 'ours' | 'peer', endpoint: string, ours: string, peerTable: string, Peer: PeerCircuitBreaker, admin: DynamoDBClient) {
  let probes = 0;
  const probe = async () => {
    probes++;
    await new Promise((res) => setTimeout(res, PROBE_LATENCY_MS));
    return 'recovered';
  };
  const now = Date.now();
  if (kind === 'peer') {
    await admin.send(new PutItemCommand({
      TableName: peerTable,
      Item: { id: { S: PEER_CIRCUIT }, circuitState: { S: 'OPEN' }, failureCount: { N: '5' }, successCount: { N: '0' }, nextAttempt: { N: String(now - 1) } },
    }));
    await Promise.allSettled(Array.from({ length: HERD }, () => new Peer(probe).fire()));
    return probes;
  }
  const circuitId = `herd-${now}-${Math.random()}`;
  const open = {
    id: circuitId, state: CircuitState.OPEN, version: 1, consecutiveOpenings: 0, successCount: 0, openedAt: now - 30_000, openUntil: now - 1,
  };
  await admin.send(new PutItemCommand({ TableName: ours, Item: recordToItem(open) }));
  // Each environment has its own client (its own connections), as separate Lambda environments would.
  const clients = Array.from({ length: HERD }, () => countedClient(endpoint).client);
  const breakers = clients.map((client) => new CircuitBreaker({ ...quiet, tableName: ours, circuitId, dynamoDbClient: client, stateMaxAgeMs: 0 }));
  const results = await Promise.allSettled(breakers.map((b) => b.call(probe)));
  clients.forEach((c) => c.destroy());
  const unexpected = results.filter((x) => x.status === 'rejected' && !CircuitOpenError.is(x.reason));
  if (unexpected.length) throw new Error(`unexpected errors in the herd: ${unexpected.map((x) => String((x as PromiseRejectedResult).reason)).join('; ')}`);
  return probes;
}

/**
 * ts-node resolves `./breaker` to breaker.js before breaker.ts when the runtime helpers were compiled in place
 * (compile:runtime): measuring yesterday's build would be worse than not measuring.
 */
function refuseStaleCompiledRuntime(): void {
  const dir = join(__dirname, '..', '..', 'lambda', 'runtime', 'circuit-breaker');
  const stale = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .filter((f) => existsSync(join(dir, f.replace(/\.ts$/, '.js'))) && statSync(join(dir, f)).mtimeMs > statSync(join(dir, f.replace(/\.ts$/, '.js'))).mtimeMs);
  if (stale.length > 0) {
    throw new Error(`lambda/runtime/circuit-breaker has compiled .js older than its sources (${stale.join(', ')}): run \`npx projen compile:runtime\`, or run the bench with TS_NODE_PREFER_TS_EXTS=true`);
  }
}

export async function run(): Promise<BenchSection> {
  if (process.env.TS_NODE_PREFER_TS_EXTS !== 'true') refuseStaleCompiledRuntime();
  const ddb: DynamoDbLocal = await startDynamoDbLocal();
  const bundleDir = mkdtempSync(join(tmpdir(), 'bench-extension-'));
  // The peer announces state changes with console.log.
  const log = console.log;
  console.log = () => undefined;
  try {
    const executable = await bundleExtension(bundleDir, 'bundled');
    const counted = countedClient(ddb.endpoint);
    const ours = 'bench-circuits';
    const peerTable = 'bench-peer-circuits';
    await createTable(counted.client, ours);
    await createTable(counted.client, peerTable);
    const Peer = loadPeer(counted.client, peerTable, PEER_CIRCUIT);
    await counted.client.send(new PutItemCommand({
      TableName: peerTable, Item: { id: { S: PEER_CIRCUIT }, circuitState: { S: 'CLOSED' }, failureCount: { N: '0' }, successCount: { N: '0' }, nextAttempt: { N: '0' } },
    }));
    const unguarded: Path = { label: UNGUARDED, environment: async () => unguardedEnvironment() };
    const secondUnguarded: Path = { label: `${UNGUARDED}, second group`, environment: async () => unguardedEnvironment() };
    const paths: Path[] = [
      { label: 'direct store read (no extension; client cache 1 s)', environment: async (id) => inProcessEnvironment({ tableName: ours, circuitId: id, dynamoDbClient: counted.client }) },
      {
        label: 'via the extension state server (every call asks it)',
        environment: (id) => extensionEnvironment(executable, ddb.endpoint, ours, id, counted.client, { stateMaxAgeMs: 0 }),
      },
      { label: 'client over the extension (layer process; client cache 1 s)', environment: (id) => extensionEnvironment(executable, ddb.endpoint, ours, id, counted.client) },
      { label: 'direct GetItem on every call', environment: async (id) => inProcessEnvironment({ tableName: ours, circuitId: id, dynamoDbClient: counted.client, stateMaxAgeMs: 0 }) },
      {
        label: 'circuitbreaker-lambda 0.0.1',
        environment: async () => {
          const breaker = new Peer(healthy);
          return { call: () => breaker.fire(), extensionReads: async () => 0, extensionRssKiB: () => undefined, close: async () => undefined };
        },
      },
    ];
    // The cached paths side by side, then the paths that go to DynamoDB on every call: their load (one or two
    // requests per call on the shared two cores) would otherwise be the cached paths' tail.
    const cached = await sustained([unguarded, ...paths.slice(0, 3)], counted, CACHED_DURATION_MS);
    const measured = [...cached, ...await sustained([secondUnguarded, ...paths.slice(3)], counted, UNCACHED_DURATION_MS)];
    /** The unguarded calls of a path's group at a rate: its baseline. */
    const firstGroup = new Set(paths.slice(0, 3).map((p) => p.label));
    const baselineOf = (path: string) => (firstGroup.has(path) ? UNGUARDED : secondUnguarded.label);
    const baseline = (m: Measured) => measured.find((b) => b.rate === m.rate && b.path === baselineOf(m.path))!;
    const pct = (m: Measured, p: number) => median(m.latenciesUs.map((l) => percentile(l, p)));
    const overhead = (m: Measured, p: number) => pct(m, p) - pct(baseline(m), p);

    const herdRows: Array<{ label: string; probes: number[] }> = [];
    for (const kind of ['ours', 'peer'] as const) {
      const probes: number[] = [];
      for (let r = 0; r < RUNS; r++) probes.push(await herd(kind, ddb.endpoint, ours, peerTable, Peer, counted.client));
      herdRows.push({ label: kind === 'ours' ? 'ours' : 'circuitbreaker-lambda 0.0.1', probes });
    }
    counted.client.destroy();

    const guarded = measured.filter((m) => paths.some((p) => p.label === m.path));
    const rss = measured.flatMap((m) => m.rssKiB);
    const perThousand = (m: Measured) => (m.calls > 0 ? fmt((1_000 * m.reads) / m.calls, 0) : 'n/a');
    const body = [
      `### Overhead per guarded call against an unguarded call, by call rate of each environment (median of ${SLICES} slices of the run)`,
      '',
      table(
        ['path', 'calls/s per environment', 'calls', 'p50 (µs)', 'p99 (µs)', 'unguarded p50 / p99 (µs)', 'p50 overhead (µs)', 'p99 overhead (µs)'],
        guarded.map((m) => [
          m.path, m.rate, m.calls, fmt(pct(m, 50), 1), fmt(pct(m, 99), 1),
          `${fmt(pct(baseline(m), 50), 1)} / ${fmt(pct(baseline(m), 99), 1)}`, fmt(overhead(m, 50), 1), fmt(overhead(m, 99), 1),
        ]),
      ),
      '',
      '### DynamoDB reads per 1,000 guarded calls, by call rate of each environment',
      '',
      table(
        ['path', ...RATES.map((r) => `${r.rate} call${r.rate > 1 ? 's' : ''}/s (${r.environments} env${r.environments > 1 ? 's' : ''})`)],
        paths.map((p) => [p.label, ...RATES.map((r) => perThousand(measured.find((m) => m.path === p.label && m.rate === r.rate)!))]),
      ),
      '',
      `Extension process resident memory after the run: median ${fmt(median(rss) / 1024, 1)} MiB, max ${fmt(Math.max(...rss) / 1024, 1)} MiB (${rss.length} processes).`,
      '',
      `### ${HERD} environments call at once when the open timeout has ended (probe takes ${PROBE_LATENCY_MS} ms; ${RUNS} runs)`,
      '',
      table(['breaker', 'probes sent to the dependency (median)', 'probes per run'], herdRows.map((h) => [h.label, median(h.probes), h.probes.join(', ')])),
    ].join('\n');
    const method = [
      'Both breakers run against one private DynamoDB Local (the real jar on the local JVM) started by the section. For',
      `${CACHED_DURATION_MS / 1_000} s, the environments of the two cached paths call at once, in this process, then for ${UNCACHED_DURATION_MS / 1_000} s those of the two paths that`,
      `read on every call: per path, ${RATES.map((r) => `${r.environments} at ${r.rate}/s`).join(', ')},`,
      'each call 0.5 to 1.5 gaps after the previous one ends. An environment is its own breaker instance (own cache); on the extension path it also has',
      `its own extension process, bundled as the layer ships it (AWS SDK included) and driven by a stand-in Extensions API, with its default ${D.extensionCacheMaxAgeMs} ms cache;`,
      `the client keeps state ${D.stateMaxAgeMs} ms from when its DynamoDB read was sent and refreshes it in the background from three quarters of that. Overhead = the call's wall time`,
      '(process.hrtime), over every call but each environment\'s first (its cold read), minus the same percentile of an unguarded call of the same',
      'function made the same way, at the same rate, by environments running beside them in the same group; the paths measured together share this',
      'process and the two cores with DynamoDB Local and the extension processes, so the tail includes being descheduled, for each of them alike.',
      '"Via the extension state server" is the client with no cache of its own (state max age 0), so every call asks the extension over localhost HTTP.',
      'Reads are GetItem requests counted by SDK middleware (first calls included), attributed to the calling',
      "environment's rate through AsyncLocalStorage, plus the extension processes' own reads from their /health counters. `circuitbreaker-lambda` needs",
      'AWS SDK v2, so it gets a stand-in `DynamoDB.DocumentClient` over SDK v3; it also writes once per call (not counted as a read). Resident memory is',
      `VmRSS from /proc. In the herd, each of the ${HERD} environments is a separate breaker instance with its own DynamoDB client and no cache; the circuit`,
      'item is OPEN with its open period just ended; "probes" counts invocations of the guarded function. Node here is not the Lambda runtime: compare ratios.',
    ].join(' ');
    const at = (label: string, rate: number) => measured.find((m) => m.path === label && m.rate === rate);
    const summary: Array<[string, string]> = [
      ...RATES.map(({ rate }): [string, string] => [
        `Circuit breaker overhead per guarded call vs an unguarded call at ${rate} call${rate > 1 ? 's' : ''}/s per environment (p50 / p99)`,
        paths.slice(0, 3).map((p) => `${p.label} ${fmt(overhead(at(p.label, rate)!, 50), 1)} / ${fmt(overhead(at(p.label, rate)!, 99), 1)} µs`).join('; '),
      ]),
      ['Circuit breaker DynamoDB reads per 1,000 calls at 10 calls/s', paths.map((p) => `${p.label} ${at(p.label, 10) ? perThousand(at(p.label, 10)!) : 'n/a'}`).join('; ')],
      ['Circuit breaker extension resident memory (median)', `${fmt(median(rss) / 1024, 1)} MiB`],
      [`Probes sent when ${HERD} environments find the open period over`, herdRows.map((h) => `${h.label} ${median(h.probes)}`).join(', ')],
    ];
    return { title: 'Circuit breaker vs circuitbreaker-lambda', method, body, summary };
  } finally {
    console.log = log;
    rmSync(bundleDir, { recursive: true, force: true });
    await ddb.stop();
  }
}
