/**
 * The extension bundled exactly as the layer ships it (esbuild, shebang banner, executable bit) and run as a real
 * child process against a local stand-in for the Extensions API and the shared DynamoDB Local.
 */
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleExtension, ExtensionProcess, startExtensionProcess } from './extension-process';
import { ExtensionsApiStandIn } from './extensions-api-stand-in';
import { CircuitOpenError } from '../../../lambda/runtime/circuit-breaker/errors';
import { CircuitState, windowTotals } from '../../../lambda/runtime/circuit-breaker/types';
import { dynamoDbLocalEndpoint } from '../../support/dynamodb-local';
import { DelayingProxy } from '../runtime/circuit-breaker/delaying-proxy';
import { createCircuitTable, failing, ignoreErrors, succeeding, testBreaker } from '../runtime/circuit-breaker/support';

const repoRoot = join(__dirname, '..', '..', '..');
// Long enough that the "still cached" read cannot outlive it on a loaded machine.
const CACHE_MAX_AGE_MS = 1_000;

let table: string;
let outDir: string;
let executable: string;
const warmCircuit = `warm-${Date.now()}`;

const started: ExtensionProcess[] = [];

/** Spawns the bundled executable (via its shebang) and resolves once its init is over (first event/next). */
async function startExtension(env: Record<string, string | undefined>): Promise<ExtensionProcess> {
  const running = await startExtensionProcess(executable, {
    endpoint: dynamoDbLocalEndpoint(),
    table,
    env: { CIRCUIT_BREAKER_EXTENSION_CACHE_MAX_AGE_MS: String(CACHE_MAX_AGE_MS), ...env },
    captureOutput: true,
  });
  started.push(running);
  return running;
}

async function shutDown(ext: ExtensionProcess): Promise<number | null | 'timeout'> {
  ext.api.push({ eventType: 'SHUTDOWN', shutdownReason: 'spindown', deadlineMs: Date.now() + 2_000 });
  return Promise.race([ext.exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 5_000).unref())]);
}

beforeAll(async () => {
  table = await createCircuitTable('extension');
  outDir = mkdtempSync(join(tmpdir(), 'circuit-extension-'));
  // The SDK stays external: one test runs the extension where it cannot be loaded.
  executable = await bundleExtension(outDir, 'external');
});

afterAll(async () => {
  for (const ext of started) {
    if (ext.child.exitCode === null && ext.child.signalCode === null) {
      ext.child.kill('SIGKILL');
      await ext.exited;
    }
    await ext.api.close();
  }
  rmSync(outDir, { recursive: true, force: true });
});

describe('with the AWS SDK available (as in the Lambda Node runtime)', () => {
  let ext: ExtensionProcess;
  let port: number;
  let api: ExtensionsApiStandIn;
  beforeAll(async () => {
    // The Lambda Node runtime provides the AWS SDK; here the repository's copy stands in for it.
    ext = await startExtension({ NODE_PATH: join(repoRoot, 'node_modules'), CIRCUIT_BREAKER_CIRCUIT_IDS: warmCircuit });
    ({ port, api } = ext);
  });
  const base = () => `http://127.0.0.1:${port}`;
  const getJson = async (path: string): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${base()}${path}`);
    return { status: res.status, body: await res.json() };
  };

  test('the layer file is an executable script named after the extension', () => {
    expect(() => accessSync(executable, constants.X_OK)).not.toThrow();
    expect(readFileSync(executable, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(executable.endsWith(join('extensions', 'circuit-breaker'))).toBe(true);
  });

  test('registers under its file name for INVOKE and SHUTDOWN, then polls with its identifier', () => {
    expect(api.registrations).toEqual([{ name: 'circuit-breaker', events: ['INVOKE', 'SHUTDOWN'] }]);
    expect(api.refused).toEqual([]);
  });

  test('serves health and pre-warms the configured circuits at init', async () => {
    const health = await getJson('/health');
    expect(health).toMatchObject({ status: 200, body: { status: 'ok', circuits: 1, stats: { reads: 1, readErrors: 0 } } });
    const warm = await getJson(`/circuits/${warmCircuit}`);
    expect(warm.status).toBe(200);
    expect(warm.body.record).toBeNull();
  });

  test('serves a circuit state from DynamoDB, caches it for the max age, then refreshes it', async () => {
    const t = testBreaker(table);
    await ignoreErrors(() => t.breaker.call(failing));
    const first = await getJson(`/circuits/${encodeURIComponent(t.circuitId)}`);
    expect(first.status).toBe(200);
    expect(first.body.record).toMatchObject({ id: t.circuitId, state: 'CLOSED' });
    expect(windowTotals(first.body.record).failures).toBe(1);

    await ignoreErrors(() => t.breaker.call(failing));
    const cached = await getJson(`/circuits/${encodeURIComponent(t.circuitId)}`);
    expect(cached.body.fetchedAt).toBe(first.body.fetchedAt);
    expect(windowTotals(cached.body.record).failures).toBe(1);

    await new Promise((r) => setTimeout(r, CACHE_MAX_AGE_MS + 50));
    const refreshed = await getJson(`/circuits/${encodeURIComponent(t.circuitId)}`);
    expect(windowTotals(refreshed.body.record).failures).toBe(2);
  });

  test('a breaker using the extension sends no DynamoDB read per guarded call', async () => {
    const t = testBreaker(table, { extensionPort: port, stateMaxAgeMs: 0 });
    for (let i = 0; i < 20; i++) await expect(t.breaker.call(succeeding)).resolves.toBe('ok');
    expect(t.counter.total).toBe(0);
    t.breaker.close();
  });

  test('the breaker trusts its own transition over the extension\'s older cached state', async () => {
    const t = testBreaker(table, { extensionPort: port, stateMaxAgeMs: 0 });
    await t.breaker.call(succeeding); // the extension now caches CLOSED
    for (let i = 0; i < 3; i++) await ignoreErrors(() => t.breaker.call(failing));
    let ran = false;
    await expect(t.breaker.call(async () => (ran = true))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(ran).toBe(false);
    expect((await t.breaker.readState()).state).toBe(CircuitState.OPEN);
    t.breaker.close();
  });

  test('rejects malformed requests', async () => {
    expect((await getJson('/circuits/')).status).toBe(400);
    expect((await getJson('/circuits/%E0%A4%A')).status).toBe(400);
    expect((await getJson('/nope')).status).toBe(404);
    expect((await fetch(`${base()}/circuits/x`, { method: 'POST' })).status).toBe(405);
  });

  test('keeps polling after INVOKE events', async () => {
    const before = api.nextRequests;
    api.push({ eventType: 'INVOKE', deadlineMs: Date.now() + 3_000, requestId: 'req-1', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' });
    await api.waitForNextRequests(before + 1);
    api.push({ eventType: 'INVOKE', deadlineMs: Date.now() + 3_000, requestId: 'req-2', invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:f' });
    await api.waitForNextRequests(before + 2);
    expect((await getJson('/health')).status).toBe(200);
  });

  test('exits cleanly with code 0 on SHUTDOWN and stops listening', async () => {
    expect(await shutDown(ext)).toBe(0);
    expect(ext.output()).toContain('circuit-breaker extension shutting down');
    await expect(fetch(`${base()}/health`)).rejects.toThrow();
  });
});

describe('frozen (SIGSTOP) with a DynamoDB read in flight', () => {
  test('the first lookup after the thaw gets state read after it, not the answer to the read sent before', async () => {
    const proxy = new DelayingProxy(dynamoDbLocalEndpoint(), 60_000);
    const endpoint = await proxy.start();
    // A store budget longer than the freeze, so the read in flight is answered rather than timed out on the thaw.
    const ext = await startExtensionProcess(executable, {
      endpoint,
      table,
      env: { NODE_PATH: join(repoRoot, 'node_modules'), CIRCUIT_BREAKER_EXTENSION_CACHE_MAX_AGE_MS: '1000', CIRCUIT_BREAKER_STORE_TIMEOUT_MS: '20000' },
    });
    started.push(ext);
    const opener = testBreaker(table, { failureThreshold: 1 });
    const lookup = async () => (await fetch(`http://127.0.0.1:${ext.port}/circuits/${opener.circuitId}`)).json() as Promise<{ record: any; fetchedAt: number }>;
    try {
      await lookup(); // cached CLOSED (no item)
      await new Promise((r) => setTimeout(r, 800));
      proxy.paused.add('GetItem');
      await lookup(); // a hit, and a refresh ahead whose answer the proxy holds
      while (proxy.pausedAnswers === 0) await new Promise((r) => setTimeout(r, 10));
      ext.child.kill('SIGSTOP');
      await new Promise((r) => setTimeout(r, 1_500)); // frozen longer than the cache max age
      await ignoreErrors(() => opener.breaker.call(failing)); // meanwhile the circuit opens
      ext.child.kill('SIGCONT');
      const lookupStart = Date.now();
      const afterThaw = lookup();
      await new Promise((r) => setTimeout(r, 200)); // the lookup is in; then the held answer arrives
      proxy.release();
      const answer = await afterThaw;
      expect(answer.fetchedAt).toBeGreaterThan(lookupStart - 1_000);
      expect(answer.record).toMatchObject({ state: 'OPEN' });
    } finally {
      ext.child.kill('SIGCONT');
      await shutDown(ext);
      await proxy.close();
    }
  });
});

describe('when the AWS SDK cannot be loaded', () => {
  test('still registers and polls, answers 503 (so functions read DynamoDB themselves) and exits cleanly', async () => {
    const ext = await startExtension({});
    expect(ext.api.registrations).toHaveLength(1);
    expect(ext.output()).toContain('cannot load the AWS SDK');
    expect((await fetch(`http://127.0.0.1:${ext.port}/health`)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${ext.port}/circuits/x`)).status).toBe(503);

    const t = testBreaker(table, { extensionPort: ext.port });
    await expect(t.breaker.call(succeeding)).resolves.toBe('ok');
    expect(t.counter.count('GetItemCommand')).toBe(1);
    t.breaker.close();
    expect(await shutDown(ext)).toBe(0);
  });
});
