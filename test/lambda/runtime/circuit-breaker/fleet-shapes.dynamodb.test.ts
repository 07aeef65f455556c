/**
 * Fleet shapes against the README's counting rule as the oracle (fleet-oracle.ts): dense, sparse, bursty, many
 * short-lived environments, and environments appearing mid-window. Each shape is a seeded plan of calls (which
 * environment calls when, and whether the dependency fails); the oracle reads the plan and says whether the circuit
 * must open (and by when) or must stay closed; real CircuitBreakers on DynamoDB Local replay it on a virtual clock
 * (each environment its own breaker, cache and tally; an environment is created at its first call and closed after
 * its last). An opening must happen no later than the oracle's deadline and only at a moment the rule allows.
 * Separate OS processes on the real clock replay a dense and a short-lived shape where concurrency matters.
 */
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mayEverOpen, mayOpenAt, mustOpenBy, RuleSettings, TracedCall } from './fleet-oracle';
import type { WorkerResult, WorkerTask } from './processes/protocol';
import { captureLogger, countingClient, createCircuitTable, ManualClock } from './support';
import { CircuitBreaker } from '../../../../lambda/runtime/circuit-breaker/breaker';
import { OUTCOME_BUCKET_MS } from '../../../../lambda/runtime/circuit-breaker/counting';
import { CircuitOpenError } from '../../../../lambda/runtime/circuit-breaker/errors';
import { CircuitStore } from '../../../../lambda/runtime/circuit-breaker/store';
import { CircuitState } from '../../../../lambda/runtime/circuit-breaker/types';
import { CIRCUIT_BREAKER_DEFAULTS as D } from '../../../../lib/circuit-breaker/contract';
import { dynamoDbLocalEndpoint } from '../../../support/dynamodb-local';
import { seededRandom } from '../../../support/seeded-random';
import { WorkerFleet } from '../../../support/worker-fleet';

/** The default rule (RATE: 50 % of at least 20 calls in 30 s), reports every second, state at most 1 s old. */
const RULE: RuleSettings = {
  failureRateThreshold: D.failureRateThreshold,
  minimumCalls: D.minimumCalls,
  failureWindowMs: D.failureWindowMs,
  tallyFlushIntervalMs: D.tallyFlushIntervalMs,
  stateMaxAgeMs: D.stateMaxAgeMs,
  earlyMs: OUTCOME_BUCKET_MS,
};

let table: string;
let shared: { client: DynamoDBClient; counter: { total: number } };
beforeAll(async () => {
  table = await createCircuitTable('shapes');
  shared = countingClient();
});
afterAll(() => shared.client.destroy());

/** A plan: the calls a fleet makes, in time order, with what the dependency answers each. */
type Plan = TracedCall[];

/** One environment calling at about `rate`/s (jittered gaps) from `from` to `to` (ms), failing with `p(at)`. */
function environmentCalls(env: string, from: number, to: number, rate: number, p: (at: number) => number, random: () => number): Plan {
  const gap = 1_000 / rate;
  const calls: Plan = [];
  for (let at = from + random() * gap; at < to; at += gap * (0.5 + random())) {
    calls.push({ env, at: Math.floor(at), failed: random() < p(at) });
  }
  return calls;
}

const sorted = (plan: Plan) => plan.sort((a, b) => a.at - b.at || a.env.localeCompare(b.env));
const constant = (p: number) => () => p;

const shapes = {
  /** 10 environments × 20 calls/s for 6 s. */
  dense: (p: (at: number) => number, random: () => number): Plan =>
    sorted(Array.from({ length: 10 }, (_, e) => environmentCalls(`d${e}`, 0, 6_000, 20, p, random)).flat()),
  /** 40 environments calling once every 40 s each (one call a second fleet-wide) for 80 s: each calls less than once a window. */
  sparse: (p: (at: number) => number, random: () => number): Plan =>
    sorted(Array.from({ length: 40 }, (_, e) => environmentCalls(`s${e}`, 0, 80_000, 1 / 40, p, random)).flat()),
  /** 10 environments idle but for 1 s bursts at 30 calls/s every 10 s, for 21 s. */
  bursty: (p: (at: number) => number, random: () => number): Plan =>
    sorted(Array.from({ length: 10 }, (_, e) => [0, 10_000, 20_000].flatMap(
      (burst) => environmentCalls(`b${e}`, burst, burst + 1_000, 30, p, random))).flat()),
  /** A new environment every 150 ms, each living 2 s at 5 calls/s (about 13 alive at once), for 15 s. */
  shortLived: (p: (at: number) => number, random: () => number): Plan =>
    sorted(Array.from({ length: 90 }, (_, e) => environmentCalls(`l${e}`, e * 150, e * 150 + 2_000, 5, p, random)).flat()),
  /** 2 environments at 1 call/s start a window; 10 more appear 10 s into it at 5 calls/s, for 20 s in all. */
  midWindow: (early: number, late: number) => (_p: unknown, random: () => number): Plan => sorted([
    ...Array.from({ length: 2 }, (_, e) => environmentCalls(`m${e}`, 0, 20_000, 1, constant(early), random)),
    ...Array.from({ length: 10 }, (_, e) => environmentCalls(`n${e}`, 10_000, 20_000, 5, constant(late), random)),
  ].flat()),
};

interface Replay {
  /** When the circuit opened (the store's record), if it did. */
  readonly openedAt?: number;
  readonly calls: number;
}

/** Replays `plan` with one CircuitBreaker per environment on a virtual clock, until the first refusal. */
async function replay(plan: Plan, name: string): Promise<Replay> {
  const clock = new ManualClock();
  const start = clock.time;
  const circuitId = `shape-${name.replace(/[^A-Za-z0-9]/g, '-')}-${Date.now()}`;
  const lastCall = new Map(plan.map((c) => [c.env, c.at]));
  const alive = new Map<string, CircuitBreaker>();
  let calls = 0;
  try {
    for (const { env, at, failed } of plan) {
      clock.time = start + at;
      let breaker = alive.get(env);
      if (!breaker) {
        breaker = new CircuitBreaker({
          tableName: table, circuitId, env: {}, dynamoDbClient: shared.client, clock, logger: captureLogger(), metricSink: () => undefined,
        });
        alive.set(env, breaker);
      }
      const outcome = await breaker.call(async () => {
        if (failed) throw new Error('dependency down');
      }).then(() => undefined, (err: unknown) => err);
      await breaker.idle();
      if (CircuitOpenError.is(outcome)) break;
      calls++;
      if (lastCall.get(env) === at) {
        breaker.close();
        alive.delete(env);
      }
    }
  } finally {
    alive.forEach((b) => b.close());
  }
  const record = await new CircuitStore(shared.client, table).read(circuitId);
  const openedAt = record.state === CircuitState.CLOSED ? undefined : record.openedAt! - start;
  return { openedAt, calls };
}

/** Asserts what the oracle says of `plan` and that the breakers did it. */
async function expectTheRule(plan: Plan, name: string, expected: 'opens' | 'stays closed'): Promise<void> {
  const t0 = Date.now();
  const deadline = mustOpenBy(plan, RULE);
  if (expected === 'opens') expect(deadline).toBeDefined();
  else expect(mayEverOpen(plan, RULE)).toBe(false);
  const t1 = Date.now();
  const run = await replay(plan, name);
  if (process.env.FLEET_SIMULATION_REPORT) {
    process.stderr.write(`${name}: ${plan.length} planned, ${run.calls} made, opened at ${run.openedAt} ms, rule's deadline ${deadline} ms` +
      ` (oracle ${t1 - t0} ms, replay ${Date.now() - t1} ms)\n`);
  }
  if (expected === 'opens') {
    expect(run.openedAt).toBeDefined();
    expect(run.openedAt!).toBeLessThanOrEqual(deadline!);
    expect(mayOpenAt(plan, run.openedAt!, RULE)).toBe(true);
  } else {
    expect(run.openedAt).toBeUndefined();
    expect(run.calls).toBe(plan.length);
  }
}

describe('the oracle reads the rule', () => {
  const failuresEvery = (ms: number, n: number, envs: number): Plan =>
    Array.from({ length: n }, (_, i) => ({ env: `e${i % envs}`, at: 1 + i * ms, failed: true }));

  test('20 environments failing once each, 1.5 s apart: every failure is reported as it happens, the 20th meets the rule', () => {
    const plan = failuresEvery(1_500, 25, 25);
    expect(mustOpenBy(plan, RULE)).toBe(plan[19].at);
    expect(mayOpenAt(plan, plan[18].at, RULE)).toBe(false);
    expect(mayOpenAt(plan, plan[19].at, RULE)).toBe(true);
  });

  test('failures spread wider than a window never meet it', () => {
    expect(mustOpenBy(failuresEvery(2_000, 25, 25), RULE)).toBeUndefined();
    expect(mayEverOpen(failuresEvery(2_000, 25, 25), RULE)).toBe(false);
  });

  test('exactly at the rate, the rule allows an opening but does not demand one: calls left out of the reports can tip it', () => {
    const alternating: Plan = Array.from({ length: 40 }, (_, i) => ({ env: `e${i}`, at: i * 100, failed: i % 2 === 0 }));
    expect(mayEverOpen(alternating, RULE)).toBe(true);
    expect(mustOpenBy(alternating, RULE)).toBeUndefined();
  });
});

describe.each([
  ['dense', shapes.dense, 0.9, 0.1],
  ['sparse', shapes.sparse, 1, 0.1],
  ['bursty', shapes.bursty, 0.9, 0.05],
  ['short-lived environments', shapes.shortLived, 0.8, 0.1],
])('%s', (name, shape, failing, healthy) => {
  test(`errors at ${failing}: the circuit opens by the rule's deadline, at a moment the rule allows`, async () => {
    await expectTheRule(shape(constant(failing), seededRandom(11)), `${name}-${failing}`, 'opens');
  });

  test(`errors at ${healthy}: the circuit stays closed`, async () => {
    await expectTheRule(shape(constant(healthy), seededRandom(12)), `${name}-${healthy}`, 'stays closed');
  });
});

describe('bursty, the outage in one burst', () => {
  test('a burst failing between healthy bursts opens the circuit by the next burst at the latest', async () => {
    const outage = (at: number) => (at >= 10_000 && at < 11_000 ? 1 : 0);
    const plan = shapes.bursty(outage, seededRandom(13));
    await expectTheRule(plan, 'burst-outage', 'opens');
    expect(mustOpenBy(plan, RULE)!).toBeGreaterThanOrEqual(10_000);
  });

  test('the stated edge of tumbling windows: an outage burst inside a window a stray failure started earlier is diluted by that window\'s successes, and stays closed', async () => {
    const outage = (at: number) => (at >= 20_000 ? 1 : 0);
    const stray: TracedCall = { env: 'stray', at: 1_000, failed: true };
    const plan = sorted([...shapes.bursty(outage, seededRandom(13)), stray]);
    await expectTheRule(plan, 'burst-outage-diluted', 'stays closed');
  });

  test('the stated bias at its worst: a burst shorter than the report interval is reported by its first call until the next burst, so failures trickling in between open the circuit at a 4 % error rate', async () => {
    const random = seededRandom(14);
    const trickle: Plan = Array.from({ length: 12 }, (_, i) => ({ env: `t${i}`, at: 2_000 + i * 1_500, failed: true }));
    const plan = sorted([...shapes.bursty(constant(0), random), ...trickle]);
    expect(plan.filter((c) => c.failed).length / plan.length).toBeLessThan(0.05);
    await expectTheRule(plan, 'trickle', 'opens');
  });
});

describe('environments appearing mid-window', () => {
  test('10 newcomers failing most calls open the window two early ones started', async () => {
    const plan = shapes.midWindow(0.3, 0.8)(undefined, seededRandom(15));
    await expectTheRule(plan, 'mid-window-failing', 'opens');
    expect(mustOpenBy(plan, RULE)!).toBeGreaterThanOrEqual(10_000);
  });

  test('newcomers that mostly succeed keep a window two early ones started closed', async () => {
    await expectTheRule(shapes.midWindow(0.3, 0.05)(undefined, seededRandom(16)), 'mid-window-healthy', 'stays closed');
  });
});

describe('separate processes on the real clock', () => {
  let fleet: WorkerFleet<WorkerTask, WorkerResult>;
  beforeAll(async () => {
    fleet = await WorkerFleet.bundle<WorkerTask, WorkerResult>(join(__dirname, 'processes', 'worker.ts'));
  });
  afterAll(() => fleet.dispose());

  /** Real-time runs: completion times carry DynamoDB Local's latency, and a lost window-start race reaches back a few ms. */
  const REAL: RuleSettings = { ...RULE, earlyMs: 50 };
  /** What a report and the opening write take to land after the call that sent them, on a shared two-core machine. */
  const WRITE_LATENCY_MS = 250;

  interface ProcessRun {
    readonly plan: Plan;
    readonly results: WorkerResult[];
    readonly openedAt?: number;
  }

  async function run(processes: number, rate: number, durationMs: number, p: number, lifetimeMs?: number): Promise<ProcessRun> {
    const circuitId = `shape-processes-${processes}-${p}-${Date.now()}`;
    const results = await fleet.run(Array.from({ length: processes }, (_, i) => ({
      kind: 'traffic' as const,
      endpoint: dynamoDbLocalEndpoint(),
      table,
      settings: {},
      circuitId,
      durationMs,
      rate,
      failureProbability: p,
      seed: 100 + i,
      stopWhenOpen: false,
      finalReport: false,
      lifetimeMs,
    })));
    const plan: Plan = results.flatMap((r) => (r.kind === 'traffic' ? r.trace.map((c) => ({ env: c.env, at: c.at, failed: c.failed })) : []));
    const record = await new CircuitStore(shared.client, table).read(circuitId);
    return { plan, results, openedAt: record.state === CircuitState.CLOSED ? undefined : record.openedAt };
  }

  test.each([
    ['6 processes × 20 calls/s', undefined],
    ['6 processes × 20 calls/s, each a new environment every 1.5 s', 1_500],
  ])('%s at 90 %% errors: opened by the rule\'s deadline, at a moment it allows', async (_name, lifetimeMs) => {
    const { plan, openedAt } = await run(6, 20, 4_000, 0.9, lifetimeMs);
    const deadline = mustOpenBy(plan, REAL);
    expect(deadline).toBeDefined();
    expect(openedAt).toBeDefined();
    expect(openedAt!).toBeLessThanOrEqual(deadline! + WRITE_LATENCY_MS);
    expect(mayOpenAt(plan, openedAt!, REAL)).toBe(true);
  }, 60_000);

  test('6 processes × 20 calls/s, new environments every 1.5 s, at 10 % errors: stays closed', async () => {
    const { plan, openedAt } = await run(6, 20, 5_000, 0.1, 1_500);
    expect(mayEverOpen(plan, REAL)).toBe(false);
    expect(openedAt).toBeUndefined();
  }, 60_000);
});
