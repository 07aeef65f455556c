/**
 * Helpers shared by the circuit-breaker tests: a circuit table on the shared DynamoDB Local, clients that count
 * the requests they send (SDK middleware: the requests still reach DynamoDB Local), a movable clock, and sinks
 * that capture logs and EMF lines.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CircuitBreaker, CircuitBreakerOptions, Clock } from '../../../../lambda/runtime/circuit-breaker/breaker';
import { CircuitBreakerLogger, LogLevel } from '../../../../lambda/runtime/circuit-breaker/telemetry';
import { freePort } from '../../../../scripts/dynamodb-local';
import { createTestTable, localDynamoDbClient } from '../../../support/dynamodb-local';

/** Commands that change the table. */
export const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand', 'DeleteItemCommand', 'TransactWriteItemsCommand', 'BatchWriteItemCommand']);

/** Per-command request counts of one client. */
export class RequestCounter {
  public readonly byCommand = new Map<string, number>();

  /** Requests of every kind. */
  public get total(): number {
    let n = 0;
    for (const v of this.byCommand.values()) n += v;
    return n;
  }

  /** Requests that change the table. */
  public get writes(): number {
    let n = 0;
    for (const [k, v] of this.byCommand) if (WRITE_COMMANDS.has(k)) n += v;
    return n;
  }

  /** Requests that only read. */
  public get reads(): number {
    return this.total - this.writes;
  }

  public count(command: string): number {
    return this.byCommand.get(command) ?? 0;
  }

  public reset(): void {
    this.byCommand.clear();
  }
}

/** Adds a middleware that counts every command `client` sends. */
export function countRequests(client: DynamoDBClient): RequestCounter {
  const counter = new RequestCounter();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      counter.byCommand.set(context.commandName ?? 'unknown', (counter.byCommand.get(context.commandName ?? 'unknown') ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'countCircuitRequests' },
  );
  return counter;
}

/** Holds `client`'s GetItem requests while closed (they are sent once it opens): a read stuck in flight. */
export function gateReads(client: DynamoDBClient) {
  return gateCommand(client, 'GetItemCommand');
}

/** Holds `client`'s requests of one command while closed (they are sent once it opens). */
export function gateCommand(client: DynamoDBClient, command: string) {
  return holdCommand(client, command, 'request');
}

/**
 * Holds the answers of `client`'s requests of one command while closed: the request reaches DynamoDB at once (it
 * reads the item as it is then) and its answer arrives when the hold opens, as across a freeze.
 */
export function holdAnswers(client: DynamoDBClient, command: string) {
  return holdCommand(client, command, 'answer');
}

/** A hold on one command of `client`, before its request is sent or after its answer arrived. */
function holdCommand(client: DynamoDBClient, command: string, what: 'request' | 'answer') {
  let closed = false;
  const waiting: Array<() => void> = [];
  const watchers: Array<() => void> = [];
  const hold = async (commandName: string | undefined) => {
    if (!closed || commandName !== command) return;
    const held = new Promise<void>((resolve) => waiting.push(resolve));
    watchers.splice(0).forEach((notify) => notify());
    await held;
  };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (what === 'request') await hold(context.commandName);
      const out = await next(args);
      if (what === 'answer') await hold(context.commandName);
      return out;
    },
    { step: 'initialize', name: `${what === 'request' ? 'gate' : 'holdAnswers'}${command}` },
  );
  return {
    close: () => void (closed = true),
    open: () => {
      closed = false;
      waiting.splice(0).forEach((release) => release());
    },
    /** Requests (or answers) held right now. */
    get held(): number {
      return waiting.length;
    },
    /** Resolves once one is held. */
    reached: (): Promise<void> => (waiting.length > 0 ? Promise.resolve() : new Promise<void>((resolve) => watchers.push(resolve))),
  };
}

/** Whether `promise` settles once the microtasks already queued have run (without waiting for any I/O or timer). */
export async function settlesWithoutIo(promise: Promise<unknown>): Promise<boolean> {
  let settled = false;
  promise.then(() => (settled = true), () => (settled = true));
  await new Promise((resolve) => setImmediate(resolve));
  return settled;
}

/** A DynamoDB Local client (one attempt: retries would blur request counts) with its request counter. */
export function countingClient(endpoint?: string): { client: DynamoDBClient; counter: RequestCounter } {
  const client = localDynamoDbClient({ endpoint, maxAttempts: 1 });
  return { client, counter: countRequests(client) };
}

/** Creates a circuit table (pk `id`) on the shared DynamoDB Local. */
export async function createCircuitTable(prefix = 'circuits'): Promise<string> {
  const client = localDynamoDbClient();
  try {
    return await createTestTable(client, prefix, {
      AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
    });
  } finally {
    client.destroy();
  }
}

/** A clock tests move by hand. */
export class ManualClock implements Clock {
  constructor(public time = Date.UTC(2030, 0, 1)) {}

  public now(): number {
    return this.time;
  }

  public advance(ms: number): void {
    this.time += ms;
  }
}

/** One captured log entry. */
export interface LogEntry {
  readonly level: LogLevel;
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** A logger that keeps entries in memory. */
export function captureLogger(): CircuitBreakerLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return { entries, log: (level, message, fields) => entries.push({ level, message, fields }) };
}

/** A breaker for tests: explicit settings, manual clock, captured logs and metrics, counted requests. */
export function testBreaker(tableName: string, overrides: Partial<CircuitBreakerOptions> = {}) {
  const { client, counter } = countingClient();
  const clock = (overrides.clock as ManualClock | undefined) ?? new ManualClock();
  const logger = captureLogger();
  const metrics: string[] = [];
  const breaker = new CircuitBreaker({
    tableName,
    circuitId: `circuit-${randomUUID().slice(0, 8)}`,
    failureThreshold: 3,
    openTimeoutMs: 10_000,
    maxOpenTimeoutMs: 60_000,
    successThreshold: 1,
    callTimeoutMs: 2_000,
    probeLeaseMs: 5_000,
    stateMaxAgeMs: 0,
    // The store budget runs on the real clock: generous, so a loaded machine cannot turn a slow answer of DynamoDB
    // Local into a store failure. Tests of the budget set their own.
    storeTimeoutMs: 5_000,
    env: {},
    dynamoDbClient: client,
    clock,
    logger,
    metricSink: (line) => metrics.push(line),
    ...overrides,
  });
  return { breaker, client, counter, clock, logger, metrics, circuitId: breaker.config.defaultCircuitId! };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export const closedPort = freePort;

/** A guarded function that fails. */
export const failing = async (): Promise<never> => {
  throw new Error('dependency down');
};

/** A guarded function that succeeds. */
export const succeeding = async (): Promise<string> => 'ok';

/** Runs `fn`, swallowing its rejection (the tests look at the circuit, not the error). */
export async function ignoreErrors(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch {
    // expected
  }
}
