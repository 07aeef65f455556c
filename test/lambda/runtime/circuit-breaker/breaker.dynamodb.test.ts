/**
 * The breaker client against the real DynamoDB Local: every transition, what each path writes, TTL refresh,
 * timeouts, error classification and fallbacks. Breakers here count with WINDOW (failureThreshold 3) unless a test
 * says otherwise; rate counting has its own file.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createCircuitTable, failing, ignoreErrors, ManualClock, succeeding, testBreaker } from './support';
import { CircuitBreaker } from '../../../../lambda/runtime/circuit-breaker/breaker';
import {
  CallerError, CallTimeoutError, CircuitBreakerConfigError, CircuitOpenError, CircuitRejectionReason,
} from '../../../../lambda/runtime/circuit-breaker/errors';
import { GuardedCallContext } from '../../../../lambda/runtime/circuit-breaker/guarded-call';
import { CircuitState, windowTotals } from '../../../../lambda/runtime/circuit-breaker/types';

let table: string;
beforeAll(async () => {
  table = await createCircuitTable('breaker');
});

const opened = async (t: ReturnType<typeof testBreaker>, failures = 3) => {
  for (let i = 0; i < failures; i++) await ignoreErrors(() => t.breaker.call(failing));
};

function parseEmf(line: string) {
  const doc = JSON.parse(line);
  const directive = doc._aws.CloudWatchMetrics[0];
  return { namespace: directive.Namespace, dimensions: directive.Dimensions, metric: directive.Metrics[0].Name, doc };
}

describe('CLOSED', () => {
  test('the healthy path reads but never writes', async () => {
    const t = testBreaker(table);
    for (let i = 0; i < 50; i++) await expect(t.breaker.call(succeeding)).resolves.toBe('ok');
    expect(t.counter.writes).toBe(0);
    expect(t.counter.count('GetItemCommand')).toBe(50);
    expect(t.metrics).toEqual([]);
  });

  test('with the in-process cache, 50 healthy calls cost one read', async () => {
    const t = testBreaker(table, { stateMaxAgeMs: 1_000 });
    for (let i = 0; i < 50; i++) await t.breaker.call(succeeding);
    expect(t.counter.total).toBe(1);
    t.clock.advance(1_000);
    await t.breaker.call(succeeding);
    expect(t.counter.total).toBe(2);
  });

  test('the first failure starts a window, each later one reports the tally; the threshold opens the circuit', async () => {
    const t = testBreaker(table);
    await expect(t.breaker.call(failing)).rejects.toThrow('dependency down');
    await expect(t.breaker.call(failing)).rejects.toThrow('dependency down');
    expect(t.counter.count('UpdateItemCommand')).toBe(2);
    const closed = await t.breaker.readState();
    const tallies = { [t.breaker.writerKey]: { calls: 2, failures: 2 } };
    expect(closed).toMatchObject({ state: CircuitState.CLOSED, windowStart: t.clock.time, tallies });

    await expect(t.breaker.call(failing)).rejects.toThrow('dependency down');
    // The third report, the opening and the claim of its announcement: one conditional update each, no put.
    expect(t.counter.count('UpdateItemCommand')).toBe(5);
    expect(t.counter.count('PutItemCommand')).toBe(0);
    const open = await t.breaker.readState();
    expect(open).toMatchObject({ state: CircuitState.OPEN, openedAt: t.clock.time, openUntil: t.clock.time + 10_000, consecutiveOpenings: 0 });
    expect(open.tallies).toBeUndefined();
    expect(open.windowId).toBeUndefined();
  });

  test('opening emits one CircuitOpened EMF document with the circuit id dimension, and logs the transition', async () => {
    const t = testBreaker(table, { metricsNamespace: 'Shop/Breakers' });
    await opened(t);
    expect(t.metrics).toHaveLength(1);
    const emf = parseEmf(t.metrics[0]);
    // Per circuit, and for the whole namespace (one alarm can watch every circuit).
    expect(emf).toMatchObject({ namespace: 'Shop/Breakers', dimensions: [['CircuitId'], []], metric: 'CircuitOpened' });
    expect(emf.doc).toMatchObject({ CircuitId: t.circuitId, CircuitOpened: 1, fromState: 'CLOSED' });
    expect(emf.doc._aws.Timestamp).toBe(t.clock.time);
    expect(t.logger.entries).toContainEqual(expect.objectContaining({ level: 'WARN', fields: expect.objectContaining({ from: 'CLOSED', to: 'OPEN' }) }));
  });

  test('WINDOW: successes never write, and failures older than the window do not add up', async () => {
    const t = testBreaker(table, { failureWindowMs: 1_000 });
    await ignoreErrors(() => t.breaker.call(failing));
    await ignoreErrors(() => t.breaker.call(failing));
    t.counter.reset();
    for (let i = 0; i < 5; i++) await t.breaker.call(succeeding);
    expect(t.counter.writes).toBe(0);
    t.clock.advance(1_000);
    await ignoreErrors(() => t.breaker.call(failing));
    const fresh = await t.breaker.readState();
    expect(fresh).toMatchObject({ state: CircuitState.CLOSED, windowStart: t.clock.time });
    expect(windowTotals(fresh).failures).toBe(1);
    t.clock.advance(999);
    await opened(t, 2);
    expect((await t.breaker.readState()).state).toBe(CircuitState.OPEN);
  });

  test('WINDOW: failures of different environments add up in one window', async () => {
    const clock = new ManualClock();
    const a = testBreaker(table, { clock });
    const b = testBreaker(table, { clock, circuitId: a.circuitId, stateMaxAgeMs: 60_000 });
    await b.breaker.call(succeeding); // b caches the circuit without a window (a call before the window: not in it)
    clock.advance(1_000);
    await ignoreErrors(() => a.breaker.call(failing));
    await ignoreErrors(() => b.breaker.call(failing)); // its start attempt meets a's window: it reports into it
    expect(b.counter.count('UpdateItemCommand')).toBe(2);
    expect(windowTotals(await a.breaker.readState())).toEqual({ calls: 2, failures: 2 });
    await ignoreErrors(() => a.breaker.call(failing));
    expect((await a.breaker.readState()).state).toBe(CircuitState.OPEN);
    expect(a.metrics.concat(b.metrics)).toHaveLength(1);
  });

  test('an environment whose cached view is stale learns the OPEN state from its lost failure write', async () => {
    const clock = new ManualClock();
    const a = testBreaker(table, { clock, stateMaxAgeMs: 60_000 });
    const b = testBreaker(table, { clock, stateMaxAgeMs: 60_000, circuitId: a.circuitId });
    await b.breaker.call(succeeding); // b caches CLOSED
    await opened(a);
    b.counter.reset();
    await ignoreErrors(() => b.breaker.call(failing)); // stale view: runs, its increment loses the condition
    expect(b.counter.count('UpdateItemCommand')).toBe(1);
    let ran = false;
    await expect(b.breaker.call(async () => (ran = true))).rejects.toBeInstanceOf(CircuitOpenError);
    expect(ran).toBe(false);
    expect(b.counter.count('GetItemCommand')).toBe(0);
  });
});

describe('OPEN', () => {
  test('fails fast with a typed error, without running the function or writing', async () => {
    const t = testBreaker(table);
    await opened(t);
    t.counter.reset();
    let ran = false;
    const err = await t.breaker.call(async () => (ran = true)).catch((e) => e);
    expect(ran).toBe(false);
    expect(CircuitOpenError.is(err)).toBe(true);
    const expected = { circuitId: t.circuitId, reason: CircuitRejectionReason.OPEN, state: CircuitState.OPEN, retryAt: t.clock.time + 10_000 };
    expect(err).toMatchObject(expected);
    expect(t.counter.writes).toBe(0);
  });

  test('runs the fallback with the rejection instead of throwing', async () => {
    const t = testBreaker(table);
    await opened(t);
    const fallback = jest.fn(async (rejection: CircuitOpenError) => `cached (${rejection.reason})`);
    await expect(t.breaker.call(succeeding, { fallback })).resolves.toBe('cached (OPEN)');
    expect(fallback).toHaveBeenCalledTimes(1);
  });

  test('the fallback is not used for errors of the function itself', async () => {
    const t = testBreaker(table);
    const fallback = jest.fn(async () => 'fallback');
    await expect(t.breaker.call(failing, { fallback })).rejects.toThrow('dependency down');
    expect(fallback).not.toHaveBeenCalled();
  });
});

describe('HALF_OPEN', () => {
  test('after the open timeout one probe runs; its success closes the circuit', async () => {
    const t = testBreaker(table);
    await opened(t);
    t.clock.advance(10_000);
    t.metrics.length = 0;
    const seen: GuardedCallContext[] = [];
    await expect(t.breaker.call(async (ctx) => {
      seen.push(ctx);
      const leased = { state: CircuitState.HALF_OPEN, probeOwner: t.breaker.instanceId, probeLeaseUntil: t.clock.time + 5_000 };
      expect(await t.breaker.readState()).toMatchObject(leased);
      return 'probed';
    })).resolves.toBe('probed');
    expect(seen.map((c) => c.probe)).toEqual([true]);
    expect(t.metrics.map((m) => parseEmf(m).metric)).toEqual(['CircuitHalfOpened', 'CircuitClosed']);
    expect(await t.breaker.readState()).toMatchObject({ state: CircuitState.CLOSED, consecutiveOpenings: 0, successCount: 0 });
    expect((await t.breaker.readState()).probeOwner).toBeUndefined();
  });

  test('a failed probe reopens with a doubled, capped open period', async () => {
    const t = testBreaker(table, { openTimeoutMs: 10_000, maxOpenTimeoutMs: 35_000 });
    await opened(t);
    const periods: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = await t.breaker.readState();
      t.clock.time = before.openUntil!;
      await expect(t.breaker.call(failing)).rejects.toThrow('dependency down');
      const after = await t.breaker.readState();
      expect(after.state).toBe(CircuitState.OPEN);
      expect(after.consecutiveOpenings).toBe(i + 1);
      periods.push(after.openUntil! - after.openedAt!);
    }
    expect(periods).toEqual([20_000, 35_000, 35_000, 35_000]);
    // One more probe, successful: closed and the backoff is forgotten.
    t.clock.time = (await t.breaker.readState()).openUntil!;
    await t.breaker.call(succeeding);
    await opened(t);
    const reopened = await t.breaker.readState();
    expect(reopened.openUntil! - reopened.openedAt!).toBe(10_000);
  });

  test('successThreshold 2: the first successful probe releases the lease, the next caller (any environment) probes again', async () => {
    const clock = new ManualClock();
    const a = testBreaker(table, { clock, successThreshold: 2 });
    const b = testBreaker(table, { clock, successThreshold: 2, circuitId: a.circuitId });
    await opened(a);
    clock.advance(10_000);
    await a.breaker.call(succeeding);
    expect(await a.breaker.readState()).toMatchObject({ state: CircuitState.HALF_OPEN, successCount: 1 });
    const probes: boolean[] = [];
    await b.breaker.call(async (ctx) => probes.push(ctx.probe));
    expect(probes).toEqual([true]);
    expect((await a.breaker.readState()).state).toBe(CircuitState.CLOSED);
  });

  test('while a probe runs, every other call fails fast; an expired lease is taken over and the zombie result is ignored', async () => {
    const clock = new ManualClock();
    const opts = { clock, callTimeoutMs: 30_000, probeLeaseMs: 40_000 };
    const a = testBreaker(table, opts);
    const b = testBreaker(table, { ...opts, circuitId: a.circuitId });
    await opened(a);
    clock.advance(10_000);

    let release!: (err: Error) => void;
    const hanging = a.breaker.call(() => new Promise<never>((_, reject) => (release = reject)));
    await waitFor(async () => (await a.breaker.readState()).state === CircuitState.HALF_OPEN);

    const rejection = await b.breaker.call(succeeding).catch((e) => e);
    const expected = { reason: CircuitRejectionReason.PROBE_IN_PROGRESS, state: CircuitState.HALF_OPEN, retryAt: clock.time + 40_000 };
    expect(rejection).toMatchObject(expected);

    clock.advance(40_000); // the lease of the stuck prober ends
    await expect(b.breaker.call(async (ctx) => (ctx.probe ? 'took over' : 'not a probe'))).resolves.toBe('took over');
    expect(b.logger.entries).toContainEqual(expect.objectContaining({ level: 'WARN', message: expect.stringContaining('taking over') }));
    expect((await a.breaker.readState()).state).toBe(CircuitState.CLOSED);

    release(new Error('late failure of the first prober'));
    await expect(hanging).rejects.toThrow('late failure');
    expect((await a.breaker.readState()).state).toBe(CircuitState.CLOSED);
  });

  test('an environment with a cached OPEN checks fresh state before standing for election (no wrong rejection once closed)', async () => {
    const clock = new ManualClock();
    const a = testBreaker(table, { clock, stateMaxAgeMs: 60_000 });
    const b = testBreaker(table, { clock, circuitId: a.circuitId });
    await opened(a); // a caches OPEN
    clock.advance(10_000);
    await b.breaker.call(succeeding); // b probes and closes
    a.counter.reset();
    const probes: boolean[] = [];
    await expect(a.breaker.call(async (ctx) => {
      probes.push(ctx.probe);
      return 'ok';
    })).resolves.toBe('ok');
    expect(probes).toEqual([false]);
    expect(a.counter.writes).toBe(0);
  });

  test('20 environments at the end of the open timeout: exactly one probe runs, the rest fail fast', async () => {
    const clock = new ManualClock();
    const first = testBreaker(table, { clock });
    const envs = [first, ...Array.from({ length: 19 }, () => testBreaker(table, { clock, circuitId: first.circuitId }))];
    await opened(first);
    clock.advance(10_000);
    let probes = 0;
    let refused = 0;
    // The probe holds until the other 19 calls have been refused (or 2 s pass), so a slow environment cannot read
    // the circuit after the probe has already closed it and legitimately run a call of its own.
    const results = await Promise.allSettled(envs.map((e) => e.breaker.call(async () => {
      probes++;
      for (let waited = 0; refused < envs.length - 1 && waited < 2_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
      return 'probe ok';
    }).catch((err: unknown) => {
      refused++;
      throw err;
    })));
    expect(probes).toBe(1);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason);
    expect(rejected).toHaveLength(19);
    for (const err of rejected) {
      expect(CircuitOpenError.is(err)).toBe(true);
      expect([CircuitRejectionReason.PROBE_ELECTION_LOST, CircuitRejectionReason.PROBE_IN_PROGRESS]).toContain(err.reason);
    }
    expect((await first.breaker.readState()).state).toBe(CircuitState.CLOSED);
    expect(first.metrics.concat(...envs.slice(1).map((e) => e.metrics)).map((m) => parseEmf(m).metric).filter((m) => m === 'CircuitHalfOpened')).toHaveLength(1);
  });
});

describe('TTL', () => {
  test('every kind of write refreshes the expiration attribute', async () => {
    const t = testBreaker(table, { recordTtlSeconds: 3_600 });
    const expirationNow = async () => {
      const out = await t.client.send(new GetItemCommand({ TableName: table, Key: { id: { S: t.circuitId } }, ConsistentRead: true }));
      return Number(out.Item!.expiration.N);
    };
    const expected = () => Math.floor(t.clock.time / 1000) + 3_600;
    await ignoreErrors(() => t.breaker.call(failing)); // window start
    expect(await expirationNow()).toBe(expected());
    t.clock.advance(7_000);
    await ignoreErrors(() => t.breaker.call(failing)); // tally report
    expect(await expirationNow()).toBe(expected());
    t.clock.advance(7_000);
    await opened(t, 1); // report + open
    expect(await expirationNow()).toBe(expected());
    t.clock.advance(10_000);
    let during = 0;
    await t.breaker.call(async () => {
      during = await expirationNow(); // half-open (election)
    });
    expect(during).toBe(expected());
    t.clock.advance(1);
    await t.breaker.call(succeeding); // the close was written at the same clock time as the election
    expect(await expirationNow()).toBe(Math.floor((t.clock.time - 1) / 1000) + 3_600);
  });
});

describe('timeouts and error classification', () => {
  test('a call exceeding callTimeoutMs rejects with CallTimeoutError, aborts its signal and counts as a failure', async () => {
    const t = testBreaker(table, { callTimeoutMs: 100 });
    let signal: AbortSignal | undefined;
    // The guarded call never settles: only the call timeout can end it (else jest's own timeout fails the test).
    const err = await t.breaker.call((ctx) => {
      signal = ctx.signal;
      return new Promise(() => undefined);
    }).catch((e) => e);
    expect(CallTimeoutError.is(err)).toBe(true);
    expect(err).toMatchObject({ circuitId: t.circuitId, timeoutMs: 100 });
    expect(signal?.aborted).toBe(true);
    expect(windowTotals(await t.breaker.readState()).failures).toBe(1);
  });

  test('a per-call timeout overrides the breaker timeout', async () => {
    const t = testBreaker(table, { callTimeoutMs: 2_000 });
    const err = await t.breaker.call(() => new Promise(() => undefined), { callTimeoutMs: 50 }).catch((e) => e);
    expect(err).toMatchObject({ name: 'CallTimeoutError', timeoutMs: 50 });
  });

  test('CallerErrors are rethrown but not counted, and write nothing', async () => {
    const t = testBreaker(table);
    for (let i = 0; i < 5; i++) {
      await expect(t.breaker.call(async () => {
        throw new CallerError('order 42 does not exist');
      })).rejects.toBeInstanceOf(CallerError);
    }
    expect(t.counter.writes).toBe(0);
    expect((await t.breaker.readState()).state).toBe(CircuitState.CLOSED);
  });

  test('a custom isFailure decides what counts; synchronous throws and non-Error values are classified too', async () => {
    const t = testBreaker(table, { isFailure: (err) => (err as { status?: number }).status !== 404 });
    await ignoreErrors(() => t.breaker.call(async () => {
      throw Object.assign(new Error('not found'), { status: 404 });
    }));
    expect(windowTotals(await t.breaker.readState()).failures).toBe(0);
    await ignoreErrors(() => t.breaker.call(() => {
      throw Object.assign(new Error('bad gateway'), { status: 502 });
    }));
    await ignoreErrors(() => t.breaker.call(() => Promise.reject('a string')));
    expect(windowTotals(await t.breaker.readState()).failures).toBe(2);
  });

  test('a caller error from the probe proves the dependency answers: the circuit closes and the error is rethrown', async () => {
    const t = testBreaker(table);
    await opened(t);
    t.clock.advance(10_000);
    await expect(t.breaker.call(async () => {
      throw new CallerError('invalid input');
    })).rejects.toBeInstanceOf(CallerError);
    expect((await t.breaker.readState()).state).toBe(CircuitState.CLOSED);
  });

  test('a probe that times out reopens the circuit', async () => {
    const t = testBreaker(table, { callTimeoutMs: 100, probeLeaseMs: 5_000 });
    await opened(t);
    t.clock.advance(10_000);
    await expect(t.breaker.call(() => new Promise(() => undefined))).rejects.toBeInstanceOf(CallTimeoutError);
    expect(await t.breaker.readState()).toMatchObject({ state: CircuitState.OPEN, consecutiveOpenings: 1 });
  });
});

describe('API surface', () => {
  test('protect() wraps a function with the same guard', async () => {
    const t = testBreaker(table);
    const charge = t.breaker.protect(async (amount: number, currency: string) => `${amount} ${currency}`);
    await expect(charge(5, 'EUR')).resolves.toBe('5 EUR');
    const broken = t.breaker.protect(async (_: number) => failing());
    for (let i = 0; i < 3; i++) await ignoreErrors(() => broken(1));
    await expect(charge(5, 'EUR')).rejects.toBeInstanceOf(CircuitOpenError);
  });

  test('circuits are independent: one circuit opening leaves another closed', async () => {
    const t = testBreaker(table);
    await opened(t);
    await expect(t.breaker.call(succeeding, { circuitId: `${t.circuitId}-other` })).resolves.toBe('ok');
  });

  test('a call without a circuit id on a breaker without a default is a configuration error', async () => {
    const breaker = new CircuitBreaker({ tableName: table, env: {} });
    try {
      await expect(breaker.call(succeeding)).rejects.toBeInstanceOf(CircuitBreakerConfigError);
    } finally {
      breaker.close();
    }
  });
});

async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not met in time');
}
