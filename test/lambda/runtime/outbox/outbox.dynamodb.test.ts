/**
 * The OutboxWriter against DynamoDB Local with Streams: what a transaction puts in the stream, what a failed one
 * leaves, what retries do, and whether its size arithmetic agrees with DynamoDB's.
 */
import {
  AttributeValue, DeleteItemCommand, DynamoDBClient, PutItemCommand, QueryCommand, TransactionCanceledException,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import * as fc from 'fast-check';
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
const paid = { detailType: 'OrderPaid', aggregateId: 'ORDER#1', detail: { orderId: '1', amount: 42.5 } };
const OUTBOX_KEY = { pk: { S: 'ORDER#1' }, sk: { S: 'OUTBOX#ORDER#1' } };

const outboxImage = (eventId: string, event: { detailType: string; detail: object }, sequence: number) => ({
  ...OUTBOX_KEY,
  outboxSequence: { N: String(sequence) },
  outboxEventId: { S: eventId },
  outboxDetailType: { S: event.detailType },
  outboxOccurredAt: { S: '2024-05-01T12:00:00.000Z' },
  outboxAggregateId: { S: 'ORDER#1' },
  outboxDetail: { S: JSON.stringify(event.detail) },
  expiresAt: { N: String(NOW / 1000 + 14 * 86_400) },
});

test('the events of an aggregate are successive images of its one outbox item, numbered 1, 2 by DynamoDB at commit', async () => {
  const { tableName, streamArn, writer } = await setUp();
  const first = await writer.write({ writes: [order(tableName)], events: [placed] });
  const second = await writer.write({ events: [paid] });
  // Without expectedSequence the writer does not know the sequence before the commit; the stream does.
  expect(first.events[0].metadata.sequence).toBeUndefined();

  const records = (await readStream(streams, streamArn)).map(summary);
  expect(records).toEqual([
    { eventName: 'INSERT', keys: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' } }, newImage: order(tableName).Put.Item },
    { eventName: 'INSERT', keys: OUTBOX_KEY, newImage: outboxImage(first.events[0].metadata.eventId, placed, 1) },
    // Every event attribute is replaced: nothing of the first event survives in the second image.
    { eventName: 'MODIFY', keys: OUTBOX_KEY, newImage: outboxImage(second.events[0].metadata.eventId, paid, 2) },
  ]);
});

test('two events of one aggregate in one transaction are refused before sending (one action per item)', async () => {
  const { writer } = await setUp();
  expect(() => writer.prepare({ events: [placed, paid] })).toThrow(/events 0 and 1 are both about aggregate ORDER#1.*one event per aggregate per transaction/);
  // Different aggregates in one transaction are fine: each has its own outbox item.
  expect(writer.prepare({ events: [placed, { ...paid, aggregateId: 'ORDER#2' }] }).input.TransactItems).toHaveLength(2);
});

test('expectedSequence: the event commits only on the sequence it expects, and knows its own before commit', async () => {
  const { tableName, streamArn, writer } = await setUp();
  const first = await writer.write({ writes: [order(tableName)], events: [{ ...placed, expectedSequence: 0 }] });
  expect(first.events[0].metadata.sequence).toBe(1);
  // A writer that last saw sequence 0 loses to the one that committed 1: its transaction is cancelled, nothing lands.
  const stale = await writer.write({ events: [{ ...paid, expectedSequence: 0 }] }).catch((e: unknown) => e);
  expect((stale as TransactionCanceledException).CancellationReasons?.map((r) => r.Code)).toEqual(['ConditionalCheckFailed']);
  const second = await writer.write({ events: [{ ...paid, expectedSequence: 1 }] });
  expect(second.events[0].metadata.sequence).toBe(2);
  expect((await readStream(streams, streamArn)).map((r) => r.dynamodb.NewImage?.outboxSequence?.N)).toEqual([undefined, '1', '2']);
});

test('a failed condition on the business write commits nothing: no outbox image, no stream record', async () => {
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

test('sending the same prepared transaction again (same token) succeeds and applies it once: no second image, no skipped sequence', async () => {
  const { tableName, streamArn, writer } = await setUp();
  const prepared = writer.prepare({ writes: [order(tableName)], events: [placed], clientRequestToken: 'place-order-1' });
  await writer.send(prepared);
  // A retry after a lost response: without the token DynamoDB would run the conditions again and cancel it.
  await expect(writer.send(prepared)).resolves.toEqual({ events: prepared.events });
  expect((await readStream(streams, streamArn)).map((r) => `${r.eventName} ${r.dynamodb.Keys.sk.S} ${r.dynamodb.NewImage?.outboxSequence?.N ?? ''}`)).toEqual([
    'INSERT ORDER ',
    'INSERT OUTBOX#ORDER#1 1',
  ]);
});

test('a table with a partition key only: the outbox item of an aggregate gets a partition of its own', async () => {
  const { tableName, streamArn } = await createOutboxTable(client, { sortKey: false });
  const writer = new OutboxWriter({ client, tableName, sortKey: null, eventSource: 'com.example.orders' });
  await writer.write({ writes: [{ Put: { TableName: tableName, Item: { pk: { S: 'ORDER#1' } } } }], events: [placed] });
  await writer.write({ events: [paid] });
  expect((await readStream(streams, streamArn)).map((r) => [r.eventName, r.dynamodb.Keys.pk.S, r.dynamodb.NewImage?.outboxSequence?.N])).toEqual([
    ['INSERT', 'ORDER#1', undefined], ['INSERT', 'OUTBOX#ORDER#1', '1'], ['MODIFY', 'OUTBOX#ORDER#1', '2'],
  ]);
});

test('the deletion of an outbox item (TTL) reaches the stream as a REMOVE, which the pipe filter drops; the next event starts at 1', async () => {
  const { tableName, streamArn, writer } = await setUp();
  await writer.write({ events: [placed] });
  await client.send(new DeleteItemCommand({ TableName: tableName, Key: OUTBOX_KEY }));
  await writer.write({ events: [paid] });
  expect((await readStream(streams, streamArn)).map((r) => `${r.eventName} ${r.dynamodb.NewImage?.outboxSequence?.N ?? '-'}`))
    .toEqual(['INSERT 1', 'REMOVE -', 'INSERT 1']);
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

  // Every number form at the boundary: an item our arithmetic puts at exactly 400 KB is accepted and one byte more
  // is refused, so our count of the number is DynamoDB's, neither over (refusing what DynamoDB takes) nor under.
  const atLimit = (value: AttributeValue, extra: number) => {
    const item: Record<string, AttributeValue> = { pk: { S: 'k' }, v: value, pad: { S: '' } };
    item.pad = { S: 'x'.repeat(400 * 1024 + extra - itemBytes(item)) };
    return client.send(new PutItemCommand({ TableName: tableName, Item: item }));
  };
  const expectCountedExactly = async (value: AttributeValue) => {
    await expect(atLimit(value, 0)).resolves.toBeDefined();
    await expect(atLimit(value, 1)).rejects.toThrow(/Item size has exceeded the maximum allowed size/);
  };
  test.each([
    '0', '-0', '0.0', '7', '-7', '1.5', '-0.5', '0.05', '120.5', '1205', '100', '1000', '1e10', '1.23e-5', '2.5e3', '+5',
    '00012.3400', '9.99e125', '-9.99e125', '1e-130', '-1e-130', '3.14159', '31415.9',
    '12345678901234567890123456789012345678', '-12345678901234567890123456789012345678',
    '1.2345678901234567890123456789012345678', '-1.2345678901234567890123456789012345678',
  ])('the number %s', async (n) => {
    await expectCountedExactly({ N: n });
  });

  test('numbers in sets, lists and maps', async () => {
    await expectCountedExactly({ NS: ['1.5', '-0.5', '0', '120.5'] });
    await expectCountedExactly({ L: [{ N: '1.5' }, { M: { a: { N: '-120.5' }, b: { N: '0' } } }] });
  });

  test('random numbers (seeded): what JSON numbers become when a detail is stored as a map', async () => {
    const samples = fc.sample(fc.oneof(
      // Within DynamoDB's range (1E-130 to 9.99E+125 in magnitude).
      fc.double({ noNaN: true, min: -1e125, max: 1e125 }).filter((d) => d === 0 || Math.abs(d) > 1e-129),
      fc.integer(),
      fc.tuple(fc.bigInt({ min: -(10n ** 38n) + 1n, max: 10n ** 38n - 1n }), fc.integer({ min: -90, max: 90 }))
        .map(([mantissa, exponent]) => `${mantissa}e${exponent}`),
    ), { numRuns: 40, seed: 19 });
    for (const sample of samples) {
      const text = String(sample);
      if (text === '-0') continue;
      await expectCountedExactly({ N: text });
    }
  });
});
