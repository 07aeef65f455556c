/**
 * One writer in its own OS process (bundled and spawned by test/support/worker-fleet.ts): it changes aggregates that
 * other processes change too, each change a business update conditional on the aggregate's version and its event in
 * the same transaction, and retries on a fresh read when another process got there first. The event carries the
 * version its change produced, so the commit order of an aggregate's events is known to whoever receives them.
 */
import { createInterface } from 'node:readline';
import {
  DynamoDBClient, GetItemCommand, TransactWriteItem, TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import { rowPerEventPut } from './legacy-layout';
import { aggregatePartition, BUSINESS_SORT_KEY, ChangeDetail, EVENT_SOURCE, WriterResult, WriterTask } from './protocol';
import { OutboxTarget } from '../../../../../lambda/runtime/outbox/config';
import { EventIdGenerator } from '../../../../../lambda/runtime/outbox/event-id';
import { OutboxWriter } from '../../../../../lambda/runtime/outbox/writer';
import { seededRandom } from '../../../../support/seeded-random';

/** Cancellations that mean "another writer changed the aggregate first": re-read and try again. */
const CONTENDED = new Set(['TransactionCanceledException', 'TransactionConflictException']);

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2]) as WriterTask;
  const client = new DynamoDBClient({
    endpoint: task.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1,
  });
  const writer = new OutboxWriter({ client, tableName: task.table, eventSource: EVENT_SOURCE, target: OutboxTarget.FIFO_QUEUE });
  const ids = new EventIdGenerator();
  const random = seededRandom(task.seed);
  // Open the connection before the race starts, so no process is handicapped by its TCP handshake.
  await client.send(new GetItemCommand({ TableName: task.table, Key: { pk: { S: 'warm-up' }, sk: { S: BUSINESS_SORT_KEY } } }));

  process.stdout.write(`${JSON.stringify({ ready: true })}\n`);
  const lines = createInterface({ input: process.stdin });
  const go = JSON.parse(await new Promise<string>((resolve) => lines.once('line', resolve))) as { startAt: number };
  lines.close();
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, go.startAt - Date.now())));

  let committed = 0;
  let cancelled = 0;
  while (committed < task.transactions) {
    const aggregate = task.aggregates[Math.floor(random() * task.aggregates.length)];
    const key = { pk: { S: aggregatePartition(aggregate) }, sk: { S: BUSINESS_SORT_KEY } };
    const current = await client.send(new GetItemCommand({ TableName: task.table, Key: key, ConsistentRead: true }));
    const version = Number(current.Item?.version?.N ?? 0);
    const business: TransactWriteItem = {
      Update: {
        TableName: task.table,
        Key: key,
        UpdateExpression: 'SET version = :next',
        ConditionExpression: version === 0 ? 'attribute_not_exists(pk)' : 'version = :previous',
        ExpressionAttributeValues: { ':next': { N: String(version + 1) }, ...(version === 0 ? {} : { ':previous': { N: String(version) } }) },
      },
    };
    const detail: ChangeDetail = { aggregate, version: version + 1, writer: task.writer };
    try {
      if (task.layout === 'aggregate-item') {
        await writer.write({
          writes: [business],
          events: [{ detailType: 'AggregateChanged', aggregateId: aggregate, partitionKey: aggregatePartition(aggregate), detail }],
        });
      } else {
        const event = { eventId: ids.next(), detailType: 'AggregateChanged', occurredAt: new Date().toISOString(), aggregateId: aggregate, detail };
        const row = rowPerEventPut(task.table, aggregatePartition(aggregate), event);
        await client.send(new TransactWriteItemsCommand({ TransactItems: [business, row] }));
      }
      committed++;
    } catch (error) {
      if (!CONTENDED.has((error as Error).name)) throw error;
      cancelled++;
    }
  }
  const result: WriterResult = { committed, cancelled };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  client.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error)?.stack ?? error)}\n`);
  process.exit(1);
});
