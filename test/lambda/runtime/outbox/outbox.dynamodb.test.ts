/**
 * The OutboxWriter against DynamoDB Local with Streams: what a transaction puts in the stream, what a failed one
 * leaves, what retries do, and whether its size arithmetic agrees with DynamoDB's.
 */
import {
  DeleteItemCommand, DynamoDBClient, PutItemCommand, QueryCommand, TransactionCanceledException, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { createOutboxTable, localStreamsClient, readStream, summary } from './local-stream';
import { itemBytes } from '../../../../lambda/runtime/outbox/sizes';
import { OutboxWriter } from '../../../../lambda/runtime/outbox/writer';
import { createTestTable, localDynamoDbClient } from '../../../support/dynamodb-local';

const NOW = Date.parse('2024-05-01T12:00:00.000Z');
let client: DynamoDBClient;
let streams: DynamoDBStreamsClient;

beforeAll(() => {
  client = localDynamoDbClient();
  streams = localStreamsClient();
});
afterAll(() => {
  client.destroy();
  streams.destroy();
});

async function setUp() {
  const { tableName, streamArn } = await createOutboxTable(client);
  const writer = new OutboxWriter({ client, tableName, eventSource: 'com.example.orders', now: () => NOW });
  return { tableName, streamArn, writer };
}

const order = (tableName: string, status = 'PLACED') => ({
  Put: {
    TableName: tableName,
    Item: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' }, status: { S: status }, total: { N: '42.5' } },
    ConditionExpression: 'attribute_not_exists(pk)',
  },
});
const placed = { detailType: 'OrderPlaced', aggregateId: 'ORDER#1', detail: { orderId: '1', total: 42.5, lines: [{ sku: 'A', qty: 2 }], note: 'été' } };
const payment = { detailType: 'PaymentRequested', aggregateId: 'ORDER#1', detail: { orderId: '1', amount: 42.5 } };

test('a committed transaction yields exactly its stream records: the business item, then one INSERT per event', async () => {
  const { tableName, streamArn, writer } = await setUp();
  const { events } = await writer.write({ writes: [order(tableName)], events: [placed, payment] });

  const outboxImage = (e: typeof events[number], aggregate: { detailType: string; detail: object }) => ({
    pk: { S: 'ORDER#1' },
    sk: { S: `OUTBOX#${e.metadata.eventId}` },
    outboxEventId: { S: e.metadata.eventId },
    outboxDetailType: { S: aggregate.detailType },
    outboxOccurredAt: { S: '2024-05-01T12:00:00.000Z' },
    outboxAggregateId: { S: 'ORDER#1' },
    outboxDetail: { S: JSON.stringify(aggregate.detail) },
    expiresAt: { N: String(NOW / 1000 + 14 * 86_400) },
  });
  const records = (await readStream(streams, streamArn)).map(summary);
  expect(records).toEqual([
    { eventName: 'INSERT', keys: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' } }, newImage: order(tableName).Put.Item },
    { eventName: 'INSERT', keys: { pk: { S: 'ORDER#1' }, sk: { S: `OUTBOX#${events[0].metadata.eventId}` } }, newImage: outboxImage(events[0], placed) },
    { eventName: 'INSERT', keys: { pk: { S: 'ORDER#1' }, sk: { S: `OUTBOX#${events[1].metadata.eventId}` } }, newImage: outboxImage(events[1], payment) },
  ]);
  expect(events[0].metadata.eventId < events[1].metadata.eventId).toBe(true);
});

test('a failed condition on the business write commits nothing: no outbox row, no stream record', async () => {
  const { tableName, streamArn, writer } = await setUp();
  await client.send(new PutItemCommand({ TableName: tableName, Item: order(tableName).Put.Item }));

  const error = await writer.write({ writes: [order(tableName)], events: [placed] }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(TransactionCanceledException);
  expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual(['ConditionalCheckFailed', 'None']);

  const rows = await client.send(new QueryCommand({ TableName: tableName, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'ORDER#1' } } }));
  expect(rows.Items?.map((i) => i.sk.S)).toEqual(['ORDER']);
  expect((await readStream(streams, streamArn)).map(summary)).toEqual([
    { eventName: 'INSERT', keys: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' } }, newImage: order(tableName).Put.Item },
  ]);
});

test('sending the same prepared transaction again (same token) succeeds and applies it once: no duplicate event', async () => {
  const { tableName, streamArn, writer } = await setUp();
  const prepared = writer.prepare({ writes: [order(tableName)], events: [placed], clientRequestToken: 'place-order-1' });
  await writer.send(prepared);
  // A retry after a lost response: without the token DynamoDB would run the conditions again and cancel it.
  await expect(writer.send(prepared)).resolves.toEqual({ events: prepared.events });
  expect((await readStream(streams, streamArn)).map((r) => `${r.eventName} ${r.dynamodb.Keys.sk.S}`)).toEqual([
    'INSERT ORDER',
    `INSERT OUTBOX#${prepared.events[0].metadata.eventId}`,
  ]);
});

test('re-sent after DynamoDB forgot the token, an outbox row is neither overwritten nor published again', async () => {
  const { tableName, streamArn, writer } = await setUp();
  const unconditional = { Put: { ...order(tableName).Put, ConditionExpression: undefined } };
  const prepared = writer.prepare({ writes: [unconditional], events: [placed] });
  await writer.send(prepared);
  const again = { ...prepared, input: { ...prepared.input, ClientRequestToken: 'a-token-dynamodb-never-saw' } };
  const error = await writer.send(again).catch((e: unknown) => e);
  expect((error as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual(['None', 'ConditionalCheckFailed']);
  expect((await readStream(streams, streamArn)).map((r) => r.eventName)).toEqual(['INSERT', 'INSERT']);
});

test('a table with a partition key only: the outbox row gets a partition of its own', async () => {
  const { tableName, streamArn } = await createOutboxTable(client, { sortKey: false });
  const writer = new OutboxWriter({ client, tableName, sortKey: null, eventSource: 'com.example.orders' });
  const { events } = await writer.write({ writes: [{ Put: { TableName: tableName, Item: { pk: { S: 'ORDER#1' } } } }], events: [placed] });
  expect((await readStream(streams, streamArn)).map((r) => r.dynamodb.Keys)).toEqual([{ pk: { S: 'ORDER#1' } }, { pk: { S: `OUTBOX#${events[0].metadata.eventId}` } }]);
});

test('updates and deletions of outbox rows reach the stream as MODIFY and REMOVE (which the pipe filter drops)', async () => {
  const { tableName, streamArn, writer } = await setUp();
  const { events } = await writer.write({ events: [placed] });
  const key = { pk: { S: 'ORDER#1' }, sk: { S: `OUTBOX#${events[0].metadata.eventId}` } };
  await client.send(new UpdateItemCommand({ TableName: tableName, Key: key, UpdateExpression: 'SET note = :n', ExpressionAttributeValues: { ':n': { S: 'x' } } }));
  await client.send(new DeleteItemCommand({ TableName: tableName, Key: key }));
  expect((await readStream(streams, streamArn)).map((r) => r.eventName)).toEqual(['INSERT', 'MODIFY', 'REMOVE']);
});

describe('the size arithmetic agrees with DynamoDB Local', () => {
  let tableName: string;
  beforeAll(async () => {
    tableName = await createTestTable(client, 'sizes', {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
    });
  });
  const itemOf = (bytes: number) => {
    const item = { pk: { S: 'k' }, pad: { S: '' }, n: { N: '12345' }, m: { M: { a: { L: [{ BOOL: true }, { NULL: true }] } } } };
    item.pad.S = 'x'.repeat(bytes - itemBytes(item));
    expect(itemBytes(item)).toBe(bytes);
    return item;
  };
  const writeUnits = async (bytes: number) => (await client.send(new PutItemCommand({
    TableName: tableName, Item: itemOf(bytes), ReturnConsumedCapacity: 'TOTAL',
  }))).ConsumedCapacity?.CapacityUnits;

  test('one write unit per started KB', async () => {
    expect(await writeUnits(1024)).toBe(1);
    expect(await writeUnits(1025)).toBe(2);
  });

  test('the 400 KB item limit', async () => {
    await expect(client.send(new PutItemCommand({ TableName: tableName, Item: itemOf(400 * 1024) }))).resolves.toBeDefined();
    await expect(client.send(new PutItemCommand({ TableName: tableName, Item: itemOf(400 * 1024 + 1) }))).rejects.toThrow(/Item size has exceeded the maximum allowed size/);
  });
});
