/**
 * Change capture run on real stream records from DynamoDB Local: concurrent writers change items (one UpdateItem per
 * event, the sequence attribute incremented with ADD), and the pipe as the construct synthesizes it (its filter, the
 * pre-bundled capture enrichment with the environment the construct gives it, its FIFO target parameters and input
 * template) turns the stream into the messages the FIFO queue would receive. DynamoDB Local gives a table's stream one
 * shard, so the items are spread over three tables whose streams stand for three shards (each holding its items'
 * records in write order, as DynamoDB documents for a shard). The shards are read in seeded random interleavings
 * that keep each shard's own order (what Pipes keeps, eb-pipes-dynamodb.html) and cut into random batches: every
 * item's events must arrive in the order of its writes, with sequences 1, 2, 3... and the image each write produced.
 */
import { AttributeValue, DeleteItemCommand, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { captureEnrichmentHandler, SynthesizedCapture, synthesizedCapture } from './synthesized-capture';
import { CapturedItemDelivery, PublishedCapturedItem } from '../../../lambda/runtime/outbox/captured-item';
import { outboxEventFrom } from '../../../lambda/runtime/outbox/published-event';
import { OutboxTarget } from '../../../lib';
import { localDynamoDbClient } from '../../support/dynamodb-local';
import { seededRandom } from '../../support/seeded-random';
import { applyInputTemplate, matchesPattern, targetParameter } from '../outbox-enrichment/pipe-semantics';
import { createOutboxTable, localStreamsClient } from '../runtime/outbox/local-stream';

const SOURCE = 'com.example.orders';
const ITEMS = 12;
const WRITES_PER_ITEM = 6;
const CAPTURED = ['orderId', 'status', 'total', 'lines'];
const SHARDS = 3;

function synthesized(): SynthesizedCapture {
  return synthesizedCapture({ source: SOURCE, attributes: CAPTURED, target: OutboxTarget.FIFO_QUEUE });
}

/** Each shard's records in its own order, in the shape Pipes delivers them (creation time in epoch seconds). */
async function readShards(streams: DynamoDBStreamsClient, streamArn: string): Promise<unknown[][]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shards: unknown[][] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    const records: unknown[] = [];
    let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const record of page.Records ?? []) {
        const plain = JSON.parse(JSON.stringify(record));
        plain.dynamodb.ApproximateCreationDateTime = Math.floor(new Date(record.dynamodb!.ApproximateCreationDateTime!).getTime() / 1000);
        records.push({ ...plain, eventSourceARN: streamArn });
      }
      iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
    }
    shards.push(records);
  }
  return shards;
}

/** A random merge of the shards that keeps each shard's order, cut into random batches of 1 to 10 (the pipe's batch size). */
function interleave<T>(shards: T[][], next: () => number): T[][] {
  const cursors = shards.map(() => 0);
  const merged: T[] = [];
  for (;;) {
    const open = shards.map((_shard, i) => i).filter((i) => cursors[i] < shards[i].length);
    if (open.length === 0) break;
    const pick = open[Math.floor(next() * open.length)];
    merged.push(shards[pick][cursors[pick]++]);
  }
  const batches: T[][] = [];
  for (let i = 0; i < merged.length;) {
    const size = 1 + Math.floor(next() * 10);
    batches.push(merged.slice(i, i + size));
    i += size;
  }
  return batches;
}

/** What a FIFO consumer reads per message group, after the pipe delivered `batches` in turn. */
async function deliver(batches: unknown[][], pipe: ReturnType<typeof synthesized>, handler: (r: unknown[]) => Promise<CapturedItemDelivery[]>) {
  const groups = new Map<string, { body: PublishedCapturedItem; deduplicationId: unknown }[]>();
  for (const batch of batches) {
    const passed = batch.filter((record) => pipe.filters.some((pattern: Record<string, unknown>) => matchesPattern(pattern, record)));
    for (const delivery of await handler(passed)) {
      const group = String(targetParameter(pipe.target.SqsQueueParameters.MessageGroupId, delivery));
      const body = outboxEventFrom(applyInputTemplate(pipe.target.InputTemplate, delivery)) as PublishedCapturedItem;
      const messages = groups.get(group) ?? [];
      messages.push({ body, deduplicationId: targetParameter(pipe.target.SqsQueueParameters.MessageDeduplicationId, delivery) });
      groups.set(group, messages);
    }
  }
  return groups;
}

let client: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let shards: unknown[][];
/** Per item (partition key), the image each write produced, in version order. */
const written = new Map<string, Record<string, AttributeValue>[]>();

beforeAll(async () => {
  client = localDynamoDbClient();
  streams = localStreamsClient();
  const tables = await Promise.all(Array.from({ length: SHARDS }, () => createOutboxTable(client)));
  const tableOf = (item: number) => tables[item % SHARDS].tableName;
  // Concurrent writers: every write of every item at once. UpdateItem's ADD makes DynamoDB number each item's writes
  // 1, 2, 3... in the order it applies them, whatever order they were sent in.
  const writes = Array.from({ length: ITEMS }, (_, item) => Array.from({ length: WRITES_PER_ITEM }, (_w, write) => ({ item, write }))).flat();
  await Promise.all(writes.map(async ({ item, write }) => {
    const result = await client.send(new UpdateItemCommand({
      TableName: tableOf(item),
      Key: { pk: { S: `ORDER#${item}` }, sk: { S: 'ORDER' } },
      UpdateExpression: 'SET #type = :type, orderId = :id, #status = :status, #total = :total, #lines = :lines, secret = :secret ADD #version :one',
      ExpressionAttributeNames: { '#type': 'type', '#status': 'status', '#total': 'total', '#lines': 'lines', '#version': 'version' },
      ExpressionAttributeValues: {
        ':type': { S: 'Order' },
        ':id': { S: `order-${item}` },
        ':status': { S: `written-by-${write}` },
        // 20 significant digits: more than a double carries, so it must arrive as its decimal string.
        ':total': { N: write % 2 === 0 ? `${write}.25` : `1234567890123456789${write}` },
        ':lines': { L: [{ M: { sku: { S: `A-${write}` }, qty: { N: String(write + 1) } } }] },
        ':secret': { S: 'never published' },
        ':one': { N: '1' },
      },
      ReturnValues: 'ALL_NEW',
    }));
    const images = written.get(`ORDER#${item}`) ?? [];
    images.push(result.Attributes!);
    written.set(`ORDER#${item}`, images);
  }));
  for (const images of written.values()) images.sort((a, b) => Number(a.version.N) - Number(b.version.N));
  // Never published: an item of another type, and a deletion.
  await client.send(new PutItemCommand({ TableName: tableOf(1), Item: { pk: { S: 'CUSTOMER#1' }, sk: { S: 'PROFILE' }, type: { S: 'Customer' }, version: { N: '1' } } }));
  await client.send(new DeleteItemCommand({ TableName: tableOf(0), Key: { pk: { S: 'ORDER#0' }, sk: { S: 'ORDER' } } }));
  shards = (await Promise.all(tables.map(({ streamArn }) => readShards(streams, streamArn)))).flat();
}, 60_000);

afterAll(() => {
  client.destroy();
  streams.destroy();
});

test('each write was one event-carrying write: versions 1..n per item', () => {
  for (const images of written.values()) expect(images.map((i) => Number(i.version.N))).toEqual([1, 2, 3, 4, 5, 6]);
  expect(shards).toHaveLength(SHARDS);
  expect(shards.flat()).toHaveLength(ITEMS * WRITES_PER_ITEM + 2);
});

test('in every interleaving of the shards, each item\'s images arrive in write order, sequences 1..n, exactly the captured attributes', async () => {
  const pipe = synthesized();
  const handler = captureEnrichmentHandler(pipe.environment);
  const expected = [...written.entries()].map(([pk, images]) => [pk, images.map((image) => ({
    sequence: Number(image.version.N),
    status: image.status.S,
    total: image.total.N!.length > 15 ? image.total.N : Number(image.total.N),
    lines: [{ sku: image.lines.L![0].M!.sku.S, qty: Number(image.lines.L![0].M!.qty.N) }],
  }))]);
  for (let seed = 1; seed <= 40; seed++) {
    const groups = await deliver(interleave(shards, seededRandom(seed)), pipe, handler);
    expect([...groups.keys()].sort()).toEqual([...written.keys()].sort());
    const received = [...written.keys()].map((pk) => [pk, groups.get(pk)!.map(({ body }) => ({
      sequence: body.metadata.sequence,
      status: body.data.status,
      total: body.data.total,
      lines: body.data.lines,
    }))]);
    expect(received).toEqual(expected);
    for (const messages of groups.values()) {
      for (const { body, deduplicationId } of messages) {
        expect(Object.keys(body.data).sort()).toEqual([...CAPTURED].sort());
        expect(body.metadata).toMatchObject({ source: SOURCE, detailType: 'Order', eventId: deduplicationId, key: { sk: 'ORDER' } });
        expect(body.metadata.change).toBe(body.metadata.sequence === 1 ? 'INSERT' : 'MODIFY');
      }
    }
  }
});

test('the consumer\'s check is not vacuous: a reader that loses a shard\'s order is seen as out-of-sequence', async () => {
  const pipe = synthesized();
  const handler = captureEnrichmentHandler(pipe.environment);
  const reversed = shards.map((shard) => [...shard].reverse());
  const groups = await deliver([reversed.flat()], pipe, handler);
  const inSequence = [...groups.values()].every((messages) => messages.every(({ body }, i) => body.metadata.sequence === i + 1));
  expect(inSequence).toBe(false);
});
