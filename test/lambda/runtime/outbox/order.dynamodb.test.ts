/**
 * The order proof: concurrent writers in separate processes change many aggregates on DynamoDB Local (each change a
 * business update conditional on the aggregate's version, and its event, in one transaction); the table's real stream
 * is then read by the adversarial reader (order-proof/adversarial-pipe.ts: parallel shards, one lane per item, seeded
 * interleavings) through the pipe the construct synthesizes into a FIFO queue model grouped by aggregate. Every
 * interleaving must deliver each aggregate's events in commit order, with no gap: the commit order is the version
 * each change produced, and the envelope's sequence must match it.
 *
 * The same proof is run on the layout before the per-aggregate outbox item (one row per event) and must fail there.
 */
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { createOutboxTable, localStreamsClient } from './local-stream';
import { deliverInterleaved, FifoMessage, itemLanes, orderViolations, PipeRun, readShards } from './order-proof/adversarial-pipe';
import { ROW_PER_EVENT_FILTER, rowPerEventMessage } from './order-proof/legacy-layout';
import { aggregatePartition, BUSINESS_SORT_KEY, EVENT_SOURCE, OutboxLayout, WriterResult, WriterTask } from './order-proof/protocol';
import { OUTBOX_DEFAULTS, OutboxTarget } from '../../../../lib/transactional-outbox/contract';
import { dynamoDbLocalEndpoint, localDynamoDbClient } from '../../../support/dynamodb-local';
import { seededRandom } from '../../../support/seeded-random';
import { WorkerFleet } from '../../../support/worker-fleet';
import { applyInputTemplate, matchesPattern, targetParameter } from '../../outbox-enrichment/pipe-semantics';
import { enrichmentHandler, synthesizedPipe } from '../../outbox-enrichment/synthesized-pipe';

const PROCESSES = 4;
const AGGREGATES = 12;
const TRANSACTIONS_PER_PROCESS = 30;
const SEEDS = 25;

jest.setTimeout(180_000);

let client: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let fleet: WorkerFleet<WriterTask, WriterResult>;

beforeAll(async () => {
  client = localDynamoDbClient();
  streams = localStreamsClient();
  fleet = await WorkerFleet.bundle<WriterTask, WriterResult>(join(__dirname, 'order-proof', 'worker.ts'));
});
afterAll(() => {
  fleet.dispose();
  client.destroy();
  streams.destroy();
});

/** The pipe the construct synthesizes for a FIFO target: its filter, the deployed enrichment, its target parameters. */
function synthesizedFifoPipe(): PipeRun {
  const { filters, target } = synthesizedPipe(OutboxTarget.FIFO_QUEUE, EVENT_SOURCE);
  const enrich = enrichmentHandler(EVENT_SOURCE);
  return async (batch) => {
    const passed = batch.filter((record) => filters.some((pattern) => matchesPattern(pattern, record)));
    if (passed.length === 0) return [];
    return (await enrich(passed)).map((delivery): FifoMessage => ({
      group: targetParameter(target.SqsQueueParameters.MessageGroupId, delivery) as string,
      deduplicationId: targetParameter(target.SqsQueueParameters.MessageDeduplicationId, delivery) as string,
      body: applyInputTemplate(target.InputTemplate, delivery) as FifoMessage['body'],
    }));
  };
}

/** The pipe of the old layout: INSERTs of outbox rows, each row one message. */
const rowPerEventPipe: PipeRun = async (batch) =>
  batch.filter((record) => matchesPattern(ROW_PER_EVENT_FILTER, record)).map(rowPerEventMessage);

/** Runs the writer processes on a new table; returns its stream and each aggregate's committed version count. */
async function writeConcurrently(layout: OutboxLayout) {
  const { tableName, streamArn } = await createOutboxTable(client);
  const aggregates = Array.from({ length: AGGREGATES }, (_, i) => `agg-${i}`);
  const results = await fleet.run(Array.from({ length: PROCESSES }, (_, i) => ({
    endpoint: dynamoDbLocalEndpoint(), table: tableName, layout, aggregates, transactions: TRANSACTIONS_PER_PROCESS, seed: 100 + i, writer: `w${i}`,
  })));
  const committed = new Map<string, number>();
  for (const aggregate of aggregates) {
    const { Item } = await client.send(new GetItemCommand({
      TableName: tableName, Key: { pk: { S: aggregatePartition(aggregate) }, sk: { S: BUSINESS_SORT_KEY } }, ConsistentRead: true,
    }));
    committed.set(aggregate, Number(Item?.version?.N ?? 0));
  }
  // Every committed transaction raised one aggregate's version by one, and the processes did race for aggregates.
  expect([...committed.values()].reduce((a, b) => a + b, 0)).toBe(PROCESSES * TRANSACTIONS_PER_PROCESS);
  expect(results.reduce((sum, r) => sum + r.cancelled, 0)).toBeGreaterThan(0);
  return { streamArn, committed };
}

/** For each seed, the proof's violations under that seed's interleaving (empty when the order held). */
async function proofBySeed(streamArn: string, committed: ReadonlyMap<string, number>, pipe: PipeRun, options: { sequence: boolean; lanes: boolean }) {
  const violations = new Map<number, string[]>();
  for (let seed = 1; seed <= SEEDS; seed++) {
    const random = seededRandom(seed);
    const shards = await readShards(streams, streamArn, random);
    const queue = await deliverInterleaved(options.lanes ? itemLanes(shards) : shards, pipe, random, OUTBOX_DEFAULTS.batchSize);
    violations.set(seed, orderViolations(queue, committed, { sequence: options.sequence }));
  }
  return violations;
}

test('one outbox item per aggregate: every seeded interleaving delivers each aggregate in commit order, sequence 1..n, no gap', async () => {
  const { streamArn, committed } = await writeConcurrently('aggregate-item');
  const violations = await proofBySeed(streamArn, committed, synthesizedFifoPipe(), { sequence: true, lanes: true });
  expect([...violations.entries()].filter(([, found]) => found.length > 0)).toEqual([]);
});

test('the old layout, one outbox row per event, fails the same proof (and passes only when the reader keeps the local single shard)', async () => {
  const { streamArn, committed } = await writeConcurrently('row-per-event');
  const violations = await proofBySeed(streamArn, committed, rowPerEventPipe, { sequence: false, lanes: true });
  const failing = [...violations.values()].filter((found) => found.length > 0);
  expect(failing.length).toBe(SEEDS);
  expect(failing[0][0]).toMatch(/^agg-\d+: committed versions 1\.\.\d+, the consumer received \[/);
  // DynamoDB Local puts every record of a table on one shard, so a reader that keeps shards whole sees commit order:
  // the per-item lanes are what model the parallel shards of a real table.
  const singleShard = await proofBySeed(streamArn, committed, rowPerEventPipe, { sequence: false, lanes: false });
  expect([...singleShard.values()].flat()).toEqual([]);
});
