/**
 * Concurrency claims checked with separate OS processes (each with its own DynamoDB client, cache and tally, on the
 * real clock) against DynamoDB Local: the probe election under a forced race, and fleet-wide rate counting.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { TrafficTask, WorkerResult, WorkerTask } from './processes/protocol';
import { countingClient, createCircuitTable } from './support';
import { CircuitRejectionReason } from '../../../../lambda/runtime/circuit-breaker/errors';
import { CircuitStore } from '../../../../lambda/runtime/circuit-breaker/store';
import { CircuitState, FailureCounting, windowTotals } from '../../../../lambda/runtime/circuit-breaker/types';
import { dynamoDbLocalEndpoint } from '../../../support/dynamodb-local';
import { WorkerFleet } from '../../../support/worker-fleet';

const PROCESSES = 8;

let table: string;
let fleet: WorkerFleet<WorkerTask, WorkerResult>;
let store: CircuitStore;
let client: ReturnType<typeof countingClient>['client'];
beforeAll(async () => {
  [table, fleet] = await Promise.all([createCircuitTable('processes'), WorkerFleet.bundle<WorkerTask, WorkerResult>(join(__dirname, 'processes', 'worker.ts'))]);
  client = countingClient().client;
  store = new CircuitStore(client, table);
});
afterAll(() => {
  fleet.dispose();
  client.destroy();
});

const base = () => ({ endpoint: dynamoDbLocalEndpoint(), table });

test(`${PROCESSES} processes race for each of 3 elections after reading the same OPEN state: one probe per election`, async () => {
  const now = Date.now();
  const circuitIds = [1, 2, 3].map((i) => `election-${i}-${randomUUID().slice(0, 8)}`);
  for (const id of circuitIds) {
    // OPEN, its open period already over: every caller stands for election.
    const open = { id, state: CircuitState.OPEN, version: 1, consecutiveOpenings: 0, successCount: 0, openedAt: now - 60_000, openUntil: now - 1 };
    expect((await store.replace({ ...open, version: 0 }, open)).written).toBe(true);
  }
  const results = await fleet.run(Array.from({ length: PROCESSES }, () => ({
    ...base(),
    kind: 'election' as const,
    circuitIds,
    roundMs: 1_500,
    holdWritesMs: 300,
    probeMs: 500,
    settings: { stateMaxAgeMs: 0, callTimeoutMs: 2_000, probeLeaseMs: 5_000 },
  })));
  for (const [round, id] of circuitIds.entries()) {
    const outcomes = results.map((r) => (r.kind === 'election' ? r.rounds[round] : 'wrong task'));
    expect(outcomes.filter((o) => o === 'probed')).toHaveLength(1);
    // Everyone else lost the election (or, arriving late, met the lease or the closed circuit).
    const others = [CircuitRejectionReason.PROBE_ELECTION_LOST, CircuitRejectionReason.PROBE_IN_PROGRESS, 'ran'];
    expect(outcomes.filter((o) => o !== 'probed').every((o) => others.includes(o))).toBe(true);
    expect((await store.read(id)).state).toBe(CircuitState.CLOSED);
  }
  const halfOpened = results.flatMap((r) => r.metrics).filter((m) => m === 'CircuitHalfOpened');
  expect(halfOpened).toHaveLength(circuitIds.length);
}, 30_000);

/** RATE counting tuned for a short test: reports and state age 250 ms. */
const RATE_SETTINGS = {
  failureCounting: FailureCounting.RATE,
  failureRateThreshold: 50,
  minimumCalls: 20,
  failureWindowMs: 20_000,
  tallyFlushIntervalMs: 250,
  stateMaxAgeMs: 250,
};
const RATE_PER_PROCESS = 25;

function trafficTasks(circuitId: string, failureProbability: number, durationMs: number, stopWhenOpen: boolean): TrafficTask[] {
  return Array.from({ length: PROCESSES }, (_, i) => ({
    ...base(),
    kind: 'traffic',
    circuitId,
    durationMs,
    rate: RATE_PER_PROCESS,
    failureProbability,
    seed: 1_000 + i,
    stopWhenOpen,
    finalReport: !stopWhenOpen,
    settings: RATE_SETTINGS,
  }));
}

type TrafficResult = Extract<WorkerResult, { kind: 'traffic' }>;

function traffic(results: WorkerResult[]): TrafficResult[] {
  return results.map((r) => {
    if (r.kind !== 'traffic') throw new Error('not a traffic result');
    return r;
  });
}

test(`${PROCESSES} processes at 10 % errors: the circuit stays closed and the table holds exactly every process's count`, async () => {
  const circuitId = `below-${randomUUID().slice(0, 8)}`;
  const results = traffic(await fleet.run(trafficTasks(circuitId, 0.1, 4_000, false)));
  expect(results.every((r) => r.refusedAt === undefined)).toBe(true);
  const record = await store.read(circuitId);
  expect(record.state).toBe(CircuitState.CLOSED);
  // Every process that counts in the table's window has its full count there, reported concurrently by all.
  const counting = results.filter((r) => r.window?.id === record.windowId);
  expect(counting.length).toBeGreaterThan(PROCESSES / 2);
  for (const r of counting) {
    expect(r.window!.reported).toEqual(r.window!.counted);
    expect(record.tallies?.[r.writerKey]).toEqual(r.window!.counted);
  }
  expect(windowTotals(record).calls).toBe(counting.reduce((n, r) => n + r.window!.counted.calls, 0));
  expect(results.flatMap((r) => r.metrics)).toEqual([]);
}, 30_000);

test(`${PROCESSES} processes at 90 % errors: the circuit opens once, soon after the first failure`, async () => {
  const circuitId = `above-${randomUUID().slice(0, 8)}`;
  const results = traffic(await fleet.run(trafficTasks(circuitId, 0.9, 5_000, true)));
  const record = await store.read(circuitId);
  expect(record.state).toBe(CircuitState.OPEN);
  expect(results.flatMap((r) => r.metrics)).toEqual(['CircuitOpened']);
  const firstFailure = Math.min(...results.map((r) => r.firstFailureAt ?? Infinity));
  // Every process learns of the window (state age), reports once (report interval) and the reports reach the
  // minimum calls; twice that leaves room for eight processes and DynamoDB Local sharing two cores.
  const bound = RATE_SETTINGS.tallyFlushIntervalMs + RATE_SETTINGS.stateMaxAgeMs + 2_000 / RATE_PER_PROCESS
    + (1_000 * RATE_SETTINGS.minimumCalls) / (PROCESSES * RATE_PER_PROCESS);
  if (process.env.FLEET_SIMULATION_REPORT) process.stderr.write(`opened ${record.openedAt! - firstFailure} ms after the first failure (bound ${bound} ms)\n`);
  expect(record.openedAt! - firstFailure).toBeLessThanOrEqual(2 * bound);
}, 30_000);
