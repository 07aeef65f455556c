/**
 * How old the state a guarded call acts on may be, and when a call waits for a read: state is stamped with the
 * time its read was sent, served for `stateMaxAgeMs`, and refreshed in the background from three quarters of it.
 * DynamoDB reads are held in flight by a gate on the client, so "does not wait" needs no clock.
 */
import { createCircuitTable, failing, gateReads, ignoreErrors, settlesWithoutIo, succeeding, testBreaker } from './support';
import { CircuitState } from '../../../../lambda/runtime/circuit-breaker/types';

let table: string;
beforeAll(async () => {
  table = await createCircuitTable('freshness');
});

const MAX_AGE = 1_000;

test('from three quarters of its max age, cached state is still used and refreshed in the background: the call does not wait', async () => {
  const t = testBreaker(table, { stateMaxAgeMs: MAX_AGE });
  const gate = gateReads(t.client);
  await t.breaker.call(succeeding); // first read
  t.clock.advance(MAX_AGE * 0.75);
  gate.close();
  const call = t.breaker.call(succeeding);
  expect(await settlesWithoutIo(call)).toBe(true);
  await expect(call).resolves.toBe('ok');
  await gate.reached(); // the refresh is in flight, held
  expect(gate.held).toBe(1);
  gate.open();
  await t.breaker.idle();
  expect(t.counter.count('GetItemCommand')).toBe(2);

  // The refresh was sent at 750 ms: its state serves calls until 1 750 ms, with no read before 1 500 ms.
  t.clock.advance(MAX_AGE * 0.7);
  await t.breaker.call(succeeding);
  expect(t.counter.count('GetItemCommand')).toBe(2);
});

test('state older than its max age is never used: the call waits for a read', async () => {
  const t = testBreaker(table, { stateMaxAgeMs: MAX_AGE });
  const gate = gateReads(t.client);
  await t.breaker.call(succeeding);
  t.clock.advance(MAX_AGE);
  gate.close();
  const call = t.breaker.call(succeeding);
  expect(await settlesWithoutIo(call)).toBe(false);
  gate.open();
  await expect(call).resolves.toBe('ok');
  expect(t.counter.count('GetItemCommand')).toBe(2);
});

test('a read in flight while the environment is frozen comes back as old as it is, not as fresh', async () => {
  const t = testBreaker(table, { stateMaxAgeMs: MAX_AGE });
  const gate = gateReads(t.client);
  gate.close();
  const first = t.breaker.call(succeeding);
  await gate.reached(); // its read is sent, then the environment freezes
  t.clock.advance(10 * MAX_AGE); // thawed ten max ages later
  gate.open();
  await first;
  // The state read before the freeze is 10 s old: the next call must read again.
  await t.breaker.call(succeeding);
  expect(t.counter.count('GetItemCommand')).toBe(2);
});

test('a background refresh that fails keeps the cached state until it expires, then the call reads (and fails open)', async () => {
  const t = testBreaker(table, { stateMaxAgeMs: MAX_AGE });
  await ignoreErrors(() => t.breaker.call(failing));
  t.client.middlewareStack.add(() => async () => {
    throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'Error' });
  }, { step: 'initialize', name: 'storeDown', priority: 'high' });
  t.clock.advance(MAX_AGE * 0.8);
  await expect(t.breaker.call(succeeding)).resolves.toBe('ok');
  await t.breaker.idle();
  expect(t.logger.entries.filter((e) => e.message.startsWith('background refresh'))).toHaveLength(1);
  t.clock.advance(MAX_AGE * 0.2);
  await expect(t.breaker.call(succeeding)).resolves.toBe('ok');
  expect(t.logger.entries).toContainEqual(expect.objectContaining({ message: 'circuit state store unavailable; failing open' }));
});

test('an environment\'s own transition is used at once, whatever its cache holds', async () => {
  const t = testBreaker(table, { stateMaxAgeMs: 60_000, failureThreshold: 1 });
  await t.breaker.call(succeeding); // caches CLOSED for a minute
  await ignoreErrors(() => t.breaker.call(failing)); // opens
  const reads = t.counter.count('GetItemCommand');
  let ran = false;
  await expect(t.breaker.call(async () => (ran = true))).rejects.toMatchObject({ state: CircuitState.OPEN });
  expect(ran).toBe(false);
  expect(t.counter.count('GetItemCommand')).toBe(reads);
});
