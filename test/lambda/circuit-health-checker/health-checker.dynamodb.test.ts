/**
 * The scheduled health checker against a local HTTP server (healthy, failing, slow, custom status) and the
 * shared DynamoDB Local: its results move the same circuits guarded calls use.
 */
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { handler } from '../../../lambda/circuit-health-checker';
import {
  HealthCheckConfigError, HealthCheckOutcome, parseHealthChecks, requestEndpoint, runHealthChecks,
} from '../../../lambda/circuit-health-checker/checks';
import { CIRCUIT_BREAKER_ENV } from '../../../lambda/runtime/circuit-breaker/env';
import { CircuitState, windowTotals } from '../../../lambda/runtime/circuit-breaker/types';
import type { HealthCheckSpec } from '../../../lib/circuit-breaker/contract';
import { dynamoDbLocalEndpoint } from '../../support/dynamodb-local';
import { createCircuitTable, testBreaker } from '../runtime/circuit-breaker/support';

let table: string;
let server: Server;
let base: string;
const hits = new Map<string, number>();

beforeAll(async () => {
  table = await createCircuitTable('health');
  server = createServer((req, res) => {
    hits.set(req.url ?? '', (hits.get(req.url ?? '') ?? 0) + 1);
    switch (req.url) {
      case '/healthy': res.writeHead(200).end('ok'); break;
      case '/failing': res.writeHead(503).end('down'); break;
      case '/teapot': res.writeHead(418).end('short and stout'); break;
      case '/slow': break; // never answers; the checker must give up
      case '/stalls-after-headers': res.writeHead(200, { 'content-length': '100' }); res.write('partial'); break; // body never ends
      case '/breaks-off': res.writeHead(200, { 'content-length': '100' }); res.write('partial', () => res.destroy()); break;
      default: res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const check = (path: string, circuitId: string, extra: Partial<HealthCheckSpec> = {}): HealthCheckSpec => ({ url: `${base}${path}`, circuitId, timeoutMs: 300, ...extra });

describe('configuration', () => {
  test('parses a valid list', () => {
    expect(parseHealthChecks('[{"url":"https://api.example.com/ping","circuitId":"payments","timeoutMs":2000,"expectStatus":204}]')).toEqual([
      { url: 'https://api.example.com/ping', circuitId: 'payments', timeoutMs: 2000, expectStatus: 204 },
    ]);
  });

  test.each([
    [undefined, /no health checks configured/],
    ['{', /not valid JSON/],
    ['[]', /non-empty JSON array/],
    ['[1]', /#0 is not an object/],
    ['[{"url":"ftp://x","circuitId":"a","timeoutMs":1}]', /url must be an http\(s\) URL/],
    ['[{"url":"http://x","circuitId":"","timeoutMs":1}]', /circuitId must be a non-empty string/],
    ['[{"url":"http://x","circuitId":"a","timeoutMs":0}]', /timeoutMs must be a positive integer/],
    ['[{"url":"http://x","circuitId":"a","timeoutMs":10,"expectStatus":999}]', /expectStatus must be an HTTP status code/],
  ])('rejects %p', (json, message) => {
    expect(() => parseHealthChecks(json)).toThrow(HealthCheckConfigError);
    expect(() => parseHealthChecks(json)).toThrow(message);
  });
});

describe('checks', () => {
  test('healthy, failing, slow and custom-status endpoints are classified; only failures write', async () => {
    const t = testBreaker(table);
    const ids = { healthy: `${t.circuitId}-h`, failing: `${t.circuitId}-f`, slow: `${t.circuitId}-s`, teapot: `${t.circuitId}-t` };
    const started = Date.now();
    const results = await runHealthChecks([
      check('/healthy', ids.healthy),
      check('/failing', ids.failing),
      check('/slow', ids.slow, { timeoutMs: 200 }),
      check('/teapot', ids.teapot, { expectStatus: 418 }),
    ], t.breaker);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(results.map((r) => [r.circuitId, r.outcome, r.status])).toEqual([
      [ids.healthy, HealthCheckOutcome.HEALTHY, 200],
      [ids.failing, HealthCheckOutcome.UNHEALTHY, 503],
      [ids.slow, HealthCheckOutcome.UNHEALTHY, undefined],
      [ids.teapot, HealthCheckOutcome.HEALTHY, 418],
    ]);
    expect(results[1].detail).toBe('expected a 2xx status, got HTTP 503');
    expect(results[2].detail).toMatch(/200 ms/);
    expect(t.counter.writes).toBe(2);
    expect(windowTotals(await t.breaker.readState(ids.failing)).failures).toBe(1);
    expect(windowTotals(await t.breaker.readState(ids.slow)).failures).toBe(1);
    expect((await t.breaker.readState(ids.healthy)).version).toBe(0);
  });

  test.each([
    ['/stalls-after-headers', /200 ms/],
    ['/breaks-off', /./],
  ])('%s: a 200 whose body does not arrive in full within the timeout is unhealthy', async (path, detail) => {
    const never = new AbortController();
    const started = Date.now();
    await expect(requestEndpoint(check(path, 'unused', { timeoutMs: 200 }), { circuitId: 'unused', probe: false, signal: never.signal }))
      .rejects.toThrow(detail);
    expect(Date.now() - started).toBeLessThan(2_000);

    const t = testBreaker(table);
    const [result] = await runHealthChecks([check(path, t.circuitId, { timeoutMs: 200 })], t.breaker);
    expect(result.outcome).toBe(HealthCheckOutcome.UNHEALTHY);
    expect(windowTotals(await t.breaker.readState()).failures).toBe(1);
  });

  test('repeated failures open the circuit; while OPEN checks are skipped without a request; after the timeout the checker probes and closes it', async () => {
    const t = testBreaker(table, { failureThreshold: 2 });
    const failingCheck = check('/failing', t.circuitId);
    for (let i = 0; i < 2; i++) await runHealthChecks([failingCheck], t.breaker);
    expect((await t.breaker.readState()).state).toBe(CircuitState.OPEN);

    const before = hits.get('/healthy') ?? 0;
    const skipped = await runHealthChecks([check('/healthy', t.circuitId)], t.breaker);
    expect(skipped[0]).toMatchObject({ outcome: HealthCheckOutcome.SKIPPED, detail: 'OPEN', probe: false });
    expect(hits.get('/healthy') ?? 0).toBe(before);

    t.clock.advance(10_000);
    const probed = await runHealthChecks([check('/healthy', t.circuitId)], t.breaker);
    expect(probed[0]).toMatchObject({ outcome: HealthCheckOutcome.HEALTHY, probe: true });
    expect((await t.breaker.readState()).state).toBe(CircuitState.CLOSED);
  });

  test('a failing probe reopens the circuit with backoff', async () => {
    const t = testBreaker(table, { failureThreshold: 1 });
    await runHealthChecks([check('/failing', t.circuitId)], t.breaker);
    t.clock.advance(10_000);
    const probed = await runHealthChecks([check('/slow', t.circuitId, { timeoutMs: 100 })], t.breaker);
    expect(probed[0]).toMatchObject({ outcome: HealthCheckOutcome.UNHEALTHY, probe: true });
    expect(await t.breaker.readState()).toMatchObject({ state: CircuitState.OPEN, consecutiveOpenings: 1 });
  });
});

test('handler(): reads its checks and breaker settings from the environment and returns a summary', async () => {
  const saved = { ...process.env };
  const circuit = `handler-${Date.now()}`;
  Object.assign(process.env, {
    [CIRCUIT_BREAKER_ENV.TABLE_NAME]: table,
    [CIRCUIT_BREAKER_ENV.HEALTH_CHECKS]: JSON.stringify([check('/healthy', `${circuit}-a`), check('/failing', `${circuit}-b`)]),
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDbLocalEndpoint(),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    const summary = await handler();
    expect(summary).toMatchObject({ healthy: 1, unhealthy: 1, skipped: 0 });
    const logged = err.mock.calls.map((c) => String(c[0])).find((line) => line.includes('health checks finished'));
    expect(JSON.parse(logged!)).toMatchObject({ level: 'WARN', unhealthy: 1 });
  } finally {
    out.mockRestore();
    err.mockRestore();
    process.env = saved;
  }
  const t = testBreaker(table);
  expect(windowTotals(await t.breaker.readState(`${circuit}-b`)).failures).toBe(1);
});
