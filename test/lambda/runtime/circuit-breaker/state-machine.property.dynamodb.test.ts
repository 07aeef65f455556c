/**
 * Property tests of the breaker against DynamoDB Local: random interleavings of calls (succeeding, failing, or
 * hanging forever as a crashed environment), time advances and environments, under both counting rules.
 *
 * 1. Concurrent environments: never two live probes at once, the stored record stays well-formed with a
 *    monotonic version, nothing is written until something fails, a successful call writes at most one report
 *    (and the opening it may cause), and the circuit is never stuck: once every open period and lease has ended,
 *    successful calls close it.
 * 2. One environment, sequential calls: the stored state follows a small reference model step by step.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { createCircuitTable, ManualClock, testBreaker } from './support';
import { CircuitBreakerOptions } from '../../../../lambda/runtime/circuit-breaker/breaker';
import { CircuitOpenError } from '../../../../lambda/runtime/circuit-breaker/errors';
import { openPeriodMs } from '../../../../lambda/runtime/circuit-breaker/transitions';
import { CircuitRecord, CircuitState, FailureCounting, windowTotals } from '../../../../lambda/runtime/circuit-breaker/types';

const OPEN_TIMEOUT = 5_000;
const MAX_OPEN_TIMEOUT = 40_000;
const PROBE_LEASE = 25_000;
// Real-time deadline of hung calls: far beyond a run's duration, so no timer fires mid-run.
const CALL_TIMEOUT = 20_000;
// 100 runs take ~10 s here; CIRCUIT_PROPERTY_RUNS=800 passed once as a deeper search (about a minute).
const NUM_RUNS = Number(process.env.CIRCUIT_PROPERTY_RUNS ?? 100);

let table: string;
beforeAll(async () => {
  table = await createCircuitTable('property');
});

type Outcome = 'ok' | 'fail' | 'hang';
type Step =
  | { readonly kind: 'advance'; readonly ms: number }
  | { readonly kind: 'batch'; readonly calls: ReadonlyArray<{ readonly env: number; readonly outcome: Outcome }> };

const countingArb = fc.oneof(
  fc.record({ failureCounting: fc.constant(FailureCounting.WINDOW), failureThreshold: fc.integer({ min: 1, max: 4 }) }),
  fc.record({
    failureCounting: fc.constant(FailureCounting.RATE),
    failureThreshold: fc.constant(undefined),
    failureRateThreshold: fc.constantFrom(1, 34, 50, 100),
    minimumCalls: fc.integer({ min: 1, max: 6 }),
  }),
);
const settingsArb = fc.tuple(countingArb, fc.record({
  successThreshold: fc.integer({ min: 1, max: 3 }),
  stateMaxAgeMs: fc.constantFrom(0, 0, 2_000),
  failureWindowMs: fc.constantFrom(3_000, 20_000),
  tallyFlushIntervalMs: fc.constantFrom(1, 1_000, 2_500),
})).map(([counting, rest]) => ({ ...rest, ...counting }));

const stepArb = (envs: number, hang: boolean): fc.Arbitrary<Step> => fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.constantFrom(0, 1_000, 4_999, 5_000, 12_000, 30_000) }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant('batch' as const),
      calls: fc.uniqueArray(
        fc.record({
          env: fc.integer({ min: 0, max: envs - 1 }),
          outcome: hang
            ? fc.oneof({ weight: 5, arbitrary: fc.constantFrom<Outcome>('ok', 'fail') }, { weight: 1, arbitrary: fc.constant<Outcome>('hang') })
            : fc.constantFrom<Outcome>('ok', 'fail'),
        }),
        { minLength: 1, maxLength: envs, selector: (c) => c.env },
      ),
    }),
  },
);

const PERIOD_SETTINGS = {
  openTimeoutMs: OPEN_TIMEOUT,
  maxOpenTimeoutMs: MAX_OPEN_TIMEOUT,
  successThreshold: 1,
  probeLeaseMs: PROBE_LEASE,
  recordTtlSeconds: 86_400,
};

function wellFormed(r: CircuitRecord): string | undefined {
  const totals = windowTotals(r);
  if (totals.failures < 0 || totals.failures > totals.calls || r.successCount < 0 || r.consecutiveOpenings < 0) return 'bad counter';
  if ((r.windowId === undefined) !== (r.windowStart === undefined)) return 'window id without window start (or the reverse)';
  if (r.state !== CircuitState.CLOSED && (r.windowId !== undefined || r.tallies !== undefined)) return `${r.state} with a counting window`;
  if ((r.probeOwner === undefined) !== (r.probeLeaseUntil === undefined)) return 'lease owner without lease end (or the reverse)';
  if (r.state !== CircuitState.HALF_OPEN && r.probeOwner !== undefined) return `${r.state} with a probe lease`;
  if (r.state === CircuitState.CLOSED && (r.openUntil !== undefined || r.consecutiveOpenings !== 0)) return 'CLOSED with open-period leftovers';
  if (r.state !== CircuitState.CLOSED) {
    if (r.openUntil === undefined || r.openedAt === undefined) return `${r.state} without an open period`;
    const expected = openPeriodMs(PERIOD_SETTINGS, r.consecutiveOpenings);
    if (r.openUntil - r.openedAt !== expected) return `open period ${r.openUntil - r.openedAt} ≠ ${expected}`;
  }
  if (r.version > 0 && r.expiration === undefined) return 'written item without TTL';
  return undefined;
}

test('concurrent environments: single live probe, well-formed state, nothing written until something fails, never stuck', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.integer({ min: 2, max: 5 }).chain((envs) => fc.record({
        envs: fc.constant(envs),
        settings: settingsArb,
        steps: fc.array(stepArb(envs, true), { minLength: 1, maxLength: 14 }),
      })),
      async ({ envs: envCount, settings, steps }) => {
        const clock = new ManualClock();
        const circuitId = `prop-${randomUUID()}`;
        const options: Partial<CircuitBreakerOptions> = {
          ...settings,
          clock,
          circuitId,
          openTimeoutMs: OPEN_TIMEOUT,
          maxOpenTimeoutMs: MAX_OPEN_TIMEOUT,
          probeLeaseMs: PROBE_LEASE,
          callTimeoutMs: CALL_TIMEOUT,
        };
        const envs = Array.from({ length: envCount }, () => testBreaker(table, options));
        const crashed = new Set<number>();
        // Hung calls of crashed environments: `settle` ends the dependency call; `probe` says whether it was the probe.
        const hung: Array<{ settle: (failed: boolean) => void; probe: boolean }> = [];
        const hungCalls: Promise<unknown>[] = [];
        const liveProbes = new Set<{ leaseEnd: number }>();
        let lastVersion = 0;
        let failedSoFar = false;
        const observer = envs[0].breaker;

        const guarded = (outcome: Outcome, onEnter?: () => void) => async (ctx: { probe: boolean }) => {
          const probe = ctx.probe ? { leaseEnd: clock.now() + PROBE_LEASE } : undefined;
          if (probe) {
            const others = [...liveProbes].filter((p) => clock.now() < p.leaseEnd);
            if (others.length > 0) throw new Error(`INVARIANT: a probe started while ${others.length} other live probe(s) ran`);
            liveProbes.add(probe);
          }
          onEnter?.();
          try {
            if (outcome === 'hang') {
              return await new Promise((resolve, reject) => hung.push({
                probe: ctx.probe,
                settle: (failed) => (failed ? reject(new Error('dependency down')) : resolve('ok')),
              }));
            }
            await new Promise((r) => setImmediate(r));
            if (outcome === 'fail') throw new Error('dependency down');
            return 'ok';
          } finally {
            // A hung (crashed) prober stays in liveProbes; it stops counting as live when its lease ends.
            if (probe && outcome !== 'hang') liveProbes.delete(probe);
          }
        };

        try {
          for (const step of steps) {
            if (step.kind === 'advance') {
              clock.advance(step.ms);
              continue;
            }
            const calls = step.calls.filter((c) => !crashed.has(c.env));
            if (calls.length === 0) continue;
            for (const e of envs) e.counter.reset();
            const probeFlags = new Map<number, boolean>();
            const settled = await Promise.all(calls.map(async ({ env, outcome }) => {
              let entered!: () => void;
              const enteredP = new Promise<void>((r) => (entered = r));
              const call = envs[env].breaker.call(async (ctx) => {
                probeFlags.set(env, ctx.probe);
                return guarded(outcome, entered)(ctx);
              });
              if (outcome === 'hang') {
                crashed.add(env);
                hungCalls.push(call.catch(() => undefined));
                // Wait until the crashed call is inside the dependency (or was refused) before time moves on.
                await Promise.race([enteredP, call.catch(() => undefined)]);
                return { env, outcome, error: undefined };
              }
              return call.then(() => ({ env, outcome, error: undefined as unknown }), (error: unknown) => ({ env, outcome, error }));
            }));
            for (const r of settled) {
              if (r.error instanceof Error && r.error.message.startsWith('INVARIANT')) throw r.error;
              if (r.error !== undefined && !CircuitOpenError.is(r.error) && !(r.error instanceof Error && r.error.message === 'dependency down')) {
                throw new Error(`unexpected error from env ${r.env}: ${String(r.error)}`);
              }
            }
            // Healthy path: until the first failure of the run, nothing at all is written.
            failedSoFar ||= calls.some((c) => c.outcome !== 'ok');
            if (!failedSoFar) {
              const writes = envs.reduce((n, e) => n + e.counter.writes, 0);
              if (writes !== 0) throw new Error(`INVARIANT: ${writes} write(s) on the healthy path`);
            }
            for (const c of settled) {
              if (c.outcome !== 'ok' || probeFlags.get(c.env) !== false) continue;
              const writes = envs[c.env].counter.writes;
              // WINDOW: a success never writes; RATE: at most one report, the opening it may cause and the claim of
              // that opening's announcement.
              const allowed = settings.failureCounting === FailureCounting.WINDOW ? 0 : 3;
              if (writes > allowed) throw new Error(`INVARIANT: a successful ordinary call wrote ${writes} time(s)`);
            }
            const after = await observer.readState();
            const problem = wellFormed(after);
            if (problem) throw new Error(`INVARIANT: malformed record (${problem}): ${JSON.stringify(after)}`);
            if (after.version < lastVersion) throw new Error(`INVARIANT: version went back from ${lastVersion} to ${after.version}`);
            lastVersion = after.version;
          }

          // Liveness: after every open period, lease and cache age has ended, successes close the circuit.
          clock.advance(MAX_OPEN_TIMEOUT + PROBE_LEASE + 2_001);
          const live = envs.filter((_, i) => !crashed.has(i));
          const closer = live.length > 0 ? live[0].breaker : testBreaker(table, options).breaker;
          for (let i = 0; i < settings.successThreshold; i++) {
            const result = await closer.call(guarded('ok')).catch((e) => e);
            if (result !== 'ok') throw new Error(`INVARIANT: stuck circuit, call ${i} refused: ${String(result)} ${JSON.stringify(await closer.readState())}`);
          }
          const final = await closer.readState();
          if (final.state !== CircuitState.CLOSED) throw new Error(`INVARIANT: not closed after ${settings.successThreshold} successful probes: ${JSON.stringify(final)}`);

          // Crashed environments wake up. A late probe failure must not reopen a circuit whose lease was taken
          // over (late ordinary calls succeed: a late ordinary failure may legitimately count).
          for (const h of hung) h.settle(h.probe);
          await Promise.all(hungCalls);
          const afterZombies = await observer.readState();
          const problem = wellFormed(afterZombies);
          if (problem) throw new Error(`INVARIANT: zombie results left a malformed record (${problem})`);
          if (afterZombies.state !== CircuitState.CLOSED) throw new Error(`INVARIANT: a zombie reopened a circuit it no longer held: ${JSON.stringify(afterZombies)}`);
        } finally {
          for (const h of hung) h.settle(true);
          for (const e of envs) e.client.destroy();
        }
      },
    ),
    { numRuns: NUM_RUNS, endOnFailure: true },
  );
}, 120_000);

interface ModelWindow {
  start: number;
  counted: { calls: number; failures: number };
  reported: { calls: number; failures: number };
  lastReport: number;
}

interface Model {
  state: CircuitState;
  window?: ModelWindow;
  /** CLOSED calls at the latest time a call was made: a window starting then counts them (calls from its start on). */
  sameTime: { at: number; calls: number; failures: number };
  openUntil?: number;
  openings: number;
  successes: number;
}

test('one environment, sequential calls: the stored state follows the reference model', async () => {
  await fc.assert(
    fc.asyncProperty(
      settingsArb.map((s) => ({ ...s, stateMaxAgeMs: 0 })),
      fc.array(stepArb(1, false), { minLength: 1, maxLength: 20 }),
      async (settings, steps) => {
        const timing = { openTimeoutMs: OPEN_TIMEOUT, maxOpenTimeoutMs: MAX_OPEN_TIMEOUT, probeLeaseMs: PROBE_LEASE, callTimeoutMs: CALL_TIMEOUT };
        const t = testBreaker(table, { ...settings, ...timing });
        const m: Model = { state: CircuitState.CLOSED, openings: 0, successes: 0, sameTime: { at: -1, calls: 0, failures: 0 } };
        const period = (n: number) => Math.min(OPEN_TIMEOUT * 2 ** n, MAX_OPEN_TIMEOUT);
        const closed = () => Object.assign(m, { state: CircuitState.CLOSED, window: undefined, openings: 0, successes: 0, openUntil: undefined });
        const open = (now: number, n: number) => {
          Object.assign(m, { state: CircuitState.OPEN, window: undefined, openUntil: now + period(n), openings: n, successes: 0 });
        };
        const reached = (tally: { calls: number; failures: number }) => (settings.failureCounting === FailureCounting.WINDOW
          ? tally.failures >= settings.failureThreshold!
          : tally.calls >= settings.minimumCalls! && tally.failures * 100 >= settings.failureRateThreshold! * tally.calls);
        const report = (w: ModelWindow, now: number) => {
          w.reported = { ...w.counted };
          w.lastReport = now;
          if (reached(w.reported)) open(now, 0);
        };
        try {
          for (const step of steps) {
            if (step.kind === 'advance') {
              t.clock.advance(step.ms);
              continue;
            }
            const ok = step.calls[0].outcome === 'ok';
            const now = t.clock.now();
            let ran: boolean | undefined;
            await t.breaker.call(async (ctx) => {
              ran = ctx.probe;
              if (!ok) throw new Error('dependency down');
            }).catch(() => undefined);

            // Reference model of the same call (all times differ by ≥ 1 s or are equal, so buckets are exact).
            let expectedRun: boolean | undefined;
            if (m.state === CircuitState.CLOSED) {
              expectedRun = false;
              if (m.sameTime.at !== now) m.sameTime = { at: now, calls: 0, failures: 0 };
              m.sameTime.calls++;
              if (!ok) m.sameTime.failures++;
              const active = m.window && now < m.window.start + settings.failureWindowMs ? m.window : undefined;
              if (active) {
                active.counted = { calls: active.counted.calls + 1, failures: active.counted.failures + (ok ? 0 : 1) };
                const due = settings.failureCounting === FailureCounting.WINDOW ? !ok : now - active.lastReport >= settings.tallyFlushIntervalMs;
                if (due) report(active, now);
              } else if (!ok) {
                const counted = { calls: m.sameTime.calls, failures: m.sameTime.failures };
                const w: ModelWindow = { start: now, counted, reported: { calls: 0, failures: 0 }, lastReport: now };
                m.window = w;
                report(w, now);
              }
            } else if (m.state === CircuitState.HALF_OPEN || now >= m.openUntil!) {
              expectedRun = true;
              if (m.state === CircuitState.OPEN) m.successes = 0;
              if (!ok) open(now, m.openings + 1);
              else if (++m.successes >= settings.successThreshold) closed();
              else m.state = CircuitState.HALF_OPEN;
            }

            const r = await t.breaker.readState();
            const stored = r.windowId !== undefined ? { start: r.windowStart, tally: windowTotals(r) } : undefined;
            const modelled = m.window ? { start: m.window.start, tally: m.window.reported } : undefined;
            expect([ran, r.state, stored, r.openUntil, r.consecutiveOpenings, r.successCount])
              .toEqual([expectedRun, m.state, modelled, m.openUntil, m.openings, m.successes]);
          }
        } finally {
          t.client.destroy();
        }
      },
    ),
    { numRuns: NUM_RUNS, endOnFailure: true },
  );
}, 120_000);
