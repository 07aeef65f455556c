/**
 * A seeded simulation of a fleet of execution environments calling one dependency whose calls fail independently
 * with probability p. Each environment is a real CircuitBreaker (its own cache and tally) on DynamoDB Local; time is
 * virtual: calls are replayed in time order on one manual clock, and each call's background work (state refreshes)
 * finishes before the next call, so a seed always replays the same run.
 *
 * Claims, with the default rule (RATE: 50 % of at least 20 calls, 30 s windows, reports every second, state at most
 * 1 s old):
 * - errors well below the threshold never open the circuit (the 10 envs × 20 calls/s at 10 %, and a quiet
 *   fleet of 25 envs × 1 call/s);
 * - errors above it open it within `tallyFlushInterval + stateMaxAge + one call gap + minimumCalls / fleet rate`
 *   of the first failure: the time for every environment to learn of the window, report once, and for the reports
 *   to hold the minimum number of calls.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { captureLogger, countingClient, createCircuitTable, ManualClock, RequestCounter } from './support';
import { CircuitStateServer } from '../../../../lambda/circuit-breaker-extension/state-server';
import { CircuitBreaker } from '../../../../lambda/runtime/circuit-breaker/breaker';
import { resolveCircuitBreakerConfig } from '../../../../lambda/runtime/circuit-breaker/config';
import { CircuitOpenError, CircuitRejectionReason } from '../../../../lambda/runtime/circuit-breaker/errors';
import { CircuitStore } from '../../../../lambda/runtime/circuit-breaker/store';
import { FailureCounting } from '../../../../lambda/runtime/circuit-breaker/types';
import { CIRCUIT_BREAKER_DEFAULTS as D } from '../../../../lib/circuit-breaker/contract';
import { seededRandom } from '../../../support/seeded-random';

let table: string;
let shared: { client: DynamoDBClient; counter: RequestCounter };
beforeAll(async () => {
  table = await createCircuitTable('fleet');
  shared = countingClient();
});
afterAll(() => shared.client.destroy());

interface Fleet {
  readonly environments: number;
  /** Calls per second of each environment. */
  readonly rate: number;
  readonly seconds: number;
  /** Each environment reads through its own extension cache server instead of DynamoDB. */
  readonly extension?: boolean;
}

interface Run {
  /** Virtual ms from the first failure to the first call refused as OPEN; undefined if it never opened. */
  readonly openedAfterMs?: number;
  readonly calls: number;
  readonly requests: number;
}

async function simulate(fleet: Fleet, failureProbability: number, seed: number): Promise<Run> {
  const random = seededRandom(seed);
  const clock = new ManualClock();
  const start = clock.time;
  const circuitId = `fleet-${seed}-${failureProbability}-${fleet.environments}-${fleet.extension ? 'x' : 'd'}-${Date.now()}`;
  const servers: CircuitStateServer[] = [];
  const envs: CircuitBreaker[] = [];
  for (let i = 0; i < fleet.environments; i++) {
    let extensionPort: number | undefined;
    if (fleet.extension) {
      const store = new CircuitStore(shared.client, table);
      const server = new CircuitStateServer({ store, maxAgeMs: D.extensionCacheMaxAgeMs, now: () => clock.now(), logger: captureLogger() });
      extensionPort = await server.listen(0);
      servers.push(server);
    }
    envs.push(new CircuitBreaker({
      tableName: table, circuitId, env: {}, dynamoDbClient: shared.client, clock, extensionPort, logger: captureLogger(), metricSink: () => undefined,
    }));
  }
  // Every environment's call times, jittered around its rate, merged in time order.
  const gap = 1_000 / fleet.rate;
  const events: Array<{ at: number; env: number }> = [];
  for (let env = 0; env < fleet.environments; env++) {
    for (let at = start + random() * gap; at < start + fleet.seconds * 1_000; at += gap * (0.5 + random())) events.push({ at: Math.floor(at), env });
  }
  events.sort((a, b) => a.at - b.at || a.env - b.env);
  const before = shared.counter.total;
  let firstFailure: number | undefined;
  let calls = 0;
  try {
    for (const { at, env } of events) {
      clock.time = at;
      const fails = random() < failureProbability;
      const outcome = await callDependency(envs[env], fails).catch((err: unknown) => err);
      await envs[env].idle();
      if (CircuitOpenError.is(outcome)) {
        // The only refusal a CLOSED fleet can see is an OPEN circuit (not a store error, not a probe).
        expect(outcome.reason).toBe(CircuitRejectionReason.OPEN);
        return { openedAfterMs: at - firstFailure!, calls, requests: shared.counter.total - before };
      }
      calls++;
      if (fails) firstFailure ??= at;
    }
    return { calls, requests: shared.counter.total - before };
  } finally {
    envs.forEach((e) => e.close());
    await Promise.all(servers.map((s) => s.close()));
  }
}

/** One guarded call whose dependency fails or answers as the seed decided. */
function callDependency(breaker: CircuitBreaker, fails: boolean): Promise<unknown> {
  return breaker.call(async () => {
    if (fails) throw new Error('dependency down');
    return 'ok';
  });
}

const busy: Fleet = { environments: 10, rate: 20, seconds: 10 };
const quiet: Fleet = { environments: 25, rate: 1, seconds: 15 };
const viaExtension: Fleet = { ...busy, extension: true };

/** The claimed bound on opening: every environment learns of the window, reports once, and the reports reach minimumCalls. */
function openingBoundMs(fleet: Fleet): number {
  const callGap = 1_000 / fleet.rate;
  return D.tallyFlushIntervalMs + D.stateMaxAgeMs + 1.5 * callGap + (1_000 * D.minimumCalls) / (fleet.environments * fleet.rate);
}

test('the defaults simulated are the rule a deployment gets: RATE, 50 % of at least 20 calls', () => {
  const config = resolveCircuitBreakerConfig({ tableName: table }, {});
  expect([config.failureCounting, config.failureRateThreshold, config.minimumCalls]).toEqual([FailureCounting.RATE, 50, 20]);
});

describe.each([
  ['10 environments × 20 calls/s', busy],
  ['25 environments × 1 call/s', quiet],
  ['10 environments × 20 calls/s through the extension', viaExtension],
])('%s', (_name, fleet) => {
  test.each([[0.1, 1], [0.05, 2]])('independent errors at %p (seed %p) never open the circuit', async (p, seed) => {
    const run = await simulate(fleet, p, seed);
    expect(run.openedAfterMs).toBeUndefined();
    expect(run.calls).toBeGreaterThan(0.8 * fleet.environments * fleet.rate * fleet.seconds);
  });

  test.each([[1, 3], [0.8, 4]])('independent errors at %p (seed %p) open it within the bound', async (p, seed) => {
    const run = await simulate(fleet, p, seed);
    if (process.env.FLEET_SIMULATION_REPORT) process.stderr.write(`${_name} p=${p}: opened after ${run.openedAfterMs} ms (bound ${openingBoundMs(fleet)} ms)\n`);
    expect(run.openedAfterMs).toBeDefined();
    expect(run.openedAfterMs!).toBeLessThanOrEqual(openingBoundMs(fleet));
  });
});

test('while nothing fails, a fleet writes nothing', async () => {
  const before = shared.counter.writes;
  const run = await simulate({ environments: 10, rate: 20, seconds: 5 }, 0, 5);
  expect(run.openedAfterMs).toBeUndefined();
  expect(shared.counter.writes).toBe(before);
});
