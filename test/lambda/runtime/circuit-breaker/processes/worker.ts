/**
 * One execution environment in its own OS process: its own DynamoDB client, its own CircuitBreaker, the real clock.
 * Bundled and spawned by test/support/worker-fleet.ts. Protocol on stdio, one JSON object a line:
 *   parent → argv[2]: the task;  worker → `{"ready":true}` once loaded and connected;
 *   parent → stdin: `{"startAt":<epoch ms>}`;  worker → its result, then it exits.
 */
import { createInterface } from 'node:readline';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { ElectionTask, TaskResult, TracedCallResult, TrafficTask, WorkerTask } from './protocol';
import { CircuitBreaker } from '../../../../../lambda/runtime/circuit-breaker/breaker';
import { CircuitOpenError } from '../../../../../lambda/runtime/circuit-breaker/errors';
import { seededRandom } from '../../../../support/seeded-random';

const WRITE_COMMANDS = new Set(['PutItemCommand', 'UpdateItemCommand']);

const sleepUntil = (at: number) => new Promise((resolve) => setTimeout(resolve, Math.max(0, at - Date.now())));

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2]) as WorkerTask;
  const client = new DynamoDBClient({
    endpoint: task.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1,
  });
  let writes = 0;
  let holdWritesUntil = 0;
  client.middlewareStack.add((next, context) => async (args) => {
    if (WRITE_COMMANDS.has(context.commandName ?? '')) {
      writes++;
      // Lets every process read before any writes (election): the interleaving the condition must survive.
      await sleepUntil(holdWritesUntil);
    }
    return next(args);
  }, { step: 'initialize', name: 'workerWrites' });
  const metrics: string[] = [];
  // One execution environment; a short-lived one is replaced by a new one (its own writer key, cache and tally).
  const newEnvironment = () => new CircuitBreaker({
    ...task.settings,
    tableName: task.table,
    env: {},
    dynamoDbClient: client,
    logger: { log: () => undefined },
    metricSink: (line) => metrics.push(JSON.parse(line)._aws.CloudWatchMetrics[0].Metrics[0].Name),
  });
  const breaker = newEnvironment();
  // Open the connection before the race starts, so no process is handicapped by its TCP handshake.
  await client.send(new GetItemCommand({ TableName: task.table, Key: { id: { S: 'warm-up' } } }));

  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  const lines = createInterface({ input: process.stdin });
  const go = JSON.parse(await new Promise<string>((resolve) => lines.once('line', resolve))) as { startAt: number };
  lines.close();

  const result: TaskResult = task.kind === 'election'
    ? await election(task, breaker, go.startAt, (at) => (holdWritesUntil = at))
    : await traffic(task, breaker, go.startAt, newEnvironment);
  process.stdout.write(`${JSON.stringify({ ...result, writerKey: breaker.writerKey, writes, metrics })}\n`);
  breaker.close();
  client.destroy();
}

async function election(task: ElectionTask, breaker: CircuitBreaker, startAt: number, holdWrites: (until: number) => void): Promise<TaskResult> {
  const rounds: Array<'probed' | 'ran' | string> = [];
  for (const [i, circuitId] of task.circuitIds.entries()) {
    const roundAt = startAt + i * task.roundMs;
    holdWrites(roundAt + task.holdWritesMs);
    await sleepUntil(roundAt);
    rounds.push(await breaker.call(async (ctx) => {
      await new Promise((resolve) => setTimeout(resolve, task.probeMs));
      return ctx.probe ? 'probed' : 'ran';
    }, { circuitId }).catch((err: unknown) => (CircuitOpenError.is(err) ? err.reason : `error: ${String(err)}`)));
  }
  return { kind: 'election', rounds };
}

async function traffic(task: TrafficTask, first: CircuitBreaker, startAt: number, newEnvironment: () => CircuitBreaker): Promise<TaskResult> {
  let breaker = first;
  let bornAt = startAt;
  const trace: TracedCallResult[] = [];
  const random = seededRandom(task.seed);
  const gap = 1_000 / task.rate;
  let calls = 0;
  let failures = 0;
  let firstFailureAt: number | undefined;
  let refusedAt: number | undefined;
  const endAt = startAt + task.durationMs;
  await sleepUntil(startAt + random() * gap);
  while (Date.now() < endAt) {
    if (task.lifetimeMs !== undefined && Date.now() - bornAt >= task.lifetimeMs) {
      if (breaker !== first) breaker.close();
      breaker = newEnvironment();
      bornAt = Date.now();
    }
    const fails = random() < task.failureProbability;
    let completedAt: number | undefined;
    const outcome = await breaker.call(async () => {
      completedAt = Date.now(); // the completion time the breaker counts the call at, before its report is written
      if (fails) throw new Error('dependency down');
    }, { circuitId: task.circuitId }).then(() => undefined, (err: unknown) => err);
    trace.push({ env: breaker.writerKey, at: completedAt ?? Date.now(), failed: fails, refused: CircuitOpenError.is(outcome) });
    if (CircuitOpenError.is(outcome)) {
      refusedAt ??= Date.now();
      if (task.stopWhenOpen) break;
    } else {
      calls++;
      if (fails) {
        failures++;
        firstFailureAt ??= Date.now();
      }
    }
    await sleepUntil(Date.now() + gap * (0.5 + random()));
  }
  if (task.finalReport && refusedAt === undefined) {
    // One more call a report interval later carries everything counted into the table.
    await sleepUntil(Date.now() + (task.settings.tallyFlushIntervalMs ?? 0));
    await breaker.call(async () => undefined, { circuitId: task.circuitId });
    calls++;
  }
  const window = breaker.countingWindow(task.circuitId);
  if (breaker !== first) breaker.close();
  return { kind: 'traffic', calls, failures, firstFailureAt, refusedAt, window, trace };
}

main().catch((err) => {
  process.stderr.write(`${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
