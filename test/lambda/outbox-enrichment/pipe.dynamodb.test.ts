/**
 * The pipe as the TransactionalOutbox synthesizes it, run on real stream records from DynamoDB Local: its filter
 * (modelled in pipe-semantics.ts), the pre-bundled enrichment function the construct deploys, and its target
 * parameters and input template. What comes out is what the bus or the FIFO queue would receive.
 */
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { applyInputTemplate, matchesPattern, targetParameter } from './pipe-semantics';
import { enrichmentHandler as deployedEnrichment, synthesizedPipe as synthesized } from './synthesized-pipe';
import { outboxEventFrom, PublishedOutboxEvent } from '../../../lambda/runtime/outbox/published-event';
import { OutboxWriter } from '../../../lambda/runtime/outbox/writer';
import { OutboxTarget } from '../../../lib';
import { localDynamoDbClient } from '../../support/dynamodb-local';
import { createOutboxTable, localStreamsClient, PipeStreamRecord, readStream } from '../runtime/outbox/local-stream';

const SOURCE = 'com.example.orders';
const synthesizedPipe = (target: OutboxTarget) => synthesized(target, SOURCE);
const enrichmentHandler = () => deployedEnrichment(SOURCE);

// Details chosen to break a naive conversion: nested arrays and maps, numbers DynamoDB would store as strings,
// booleans, null, an empty string, unicode, and keys that look like DynamoDB type tags.
const placed = {
  orderId: 'order-1',
  total: 1234.5,
  lines: [{ sku: 'A-1', qty: 2, price: 0.1 }, { sku: 'B-2', qty: 1, price: 99 }],
  customer: { id: 'c-7', vip: true, note: null, nickname: '' },
  tags: ['gift', 'été', '注文'],
  S: 'not a type tag',
  M: { N: 1 },
};
const cancelled = { orderId: 'order-1', reason: 'customer request' };

let client: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let records: PipeStreamRecord[];
let published: readonly PublishedOutboxEvent[];

beforeAll(async () => {
  client = localDynamoDbClient();
  streams = localStreamsClient();
  const { tableName, streamArn } = await createOutboxTable(client);
  const writer = new OutboxWriter({ client, tableName, eventSource: SOURCE });
  const order = { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' }, status: { S: 'PLACED' } };
  // expectedSequence makes the writer return the sequence the target will see, so `published` is the whole envelope.
  const first = await writer.write({
    writes: [{ Put: { TableName: tableName, Item: order } }],
    events: [{ detailType: 'OrderPlaced', aggregateId: 'order-1', partitionKey: 'ORDER#1', detail: placed, expectedSequence: 0 }],
  });
  const second = await writer.write({
    writes: [{ Update: { TableName: tableName, Key: { pk: order.pk, sk: order.sk }, UpdateExpression: 'SET #s = :s', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':s': { S: 'CANCELLED' } } } }],
    events: [{ detailType: 'OrderCancelled', aggregateId: 'order-1', partitionKey: 'ORDER#1', detail: cancelled, expectedSequence: 1 }],
  });
  published = [...first.events, ...second.events].map((e) => ({ ...e, metadata: { ...e.metadata, sequence: e.metadata.sequence! } }));
  // What must never be published: the outbox item's deletion by TTL, and business items.
  await client.send(new DeleteItemCommand({ TableName: tableName, Key: { pk: { S: 'ORDER#1' }, sk: { S: 'OUTBOX#order-1' } } }));
  await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'CUSTOMER#7' }, sk: { S: 'PROFILE' }, name: { S: 'Ada' } } }));
  records = (await readStream(streams, streamArn)).map((record) =>
    // DynamoDB Local has no TTL sweeper: a TTL deletion is a REMOVE made by the DynamoDB service principal.
    (record.eventName === 'REMOVE' ? { ...record, userIdentity: { type: 'Service', principalId: 'dynamodb.amazonaws.com' } } : record));
});
afterAll(() => {
  client.destroy();
  streams.destroy();
});

test('the stream holds every kind of record the filter must tell apart', () => {
  expect(records.map((r) => `${r.eventName} ${r.dynamodb.Keys.sk.S.replace(/#.*/, '#…')}`)).toEqual([
    'INSERT ORDER', 'INSERT OUTBOX#…', 'MODIFY ORDER', 'MODIFY OUTBOX#…', 'REMOVE OUTBOX#…', 'INSERT PROFILE',
  ]);
});

test('the filter passes exactly the new images of outbox items, in order: no business items, no TTL deletions', () => {
  const { filters } = synthesizedPipe(OutboxTarget.EVENT_BUS);
  const passed = records.filter((record) => filters.some((pattern: Record<string, unknown>) => matchesPattern(pattern, record)));
  expect(passed.map((r) => r.dynamodb.NewImage?.outboxEventId.S)).toEqual(published.map((e) => e.metadata.eventId));
});

test('the enrichment also drops what is not an outbox image, should the filter ever pass it', async () => {
  const deliveries = await enrichmentHandler()(records);
  expect(deliveries.map((d) => d.metadata.eventId)).toEqual(published.map((e) => e.metadata.eventId));
});

describe('what the event bus receives', () => {
  let entries: { source: unknown; detailType: unknown; time: unknown; resources: unknown[]; detail: unknown }[];
  beforeAll(async () => {
    const { filters, target } = synthesizedPipe(OutboxTarget.EVENT_BUS);
    const batch = records.filter((record) => filters.some((pattern: Record<string, unknown>) => matchesPattern(pattern, record)));
    const deliveries = await enrichmentHandler()(batch);
    const bus = target.EventBridgeEventBusParameters;
    entries = deliveries.map((delivery, i) => {
      // The dynamic parameters resolve alike on the enrichment output and on the source record.
      for (const path of [bus.DetailType, bus.Time, ...bus.Resources]) {
        expect(targetParameter(path, delivery)).toBe(targetParameter(path, batch[i]));
      }
      return {
        source: targetParameter(bus.Source, delivery),
        detailType: targetParameter(bus.DetailType, delivery),
        time: targetParameter(bus.Time, delivery),
        resources: bus.Resources.map((r: string) => targetParameter(r, delivery)),
        detail: applyInputTemplate(target.InputTemplate, delivery),
      };
    });
  });

  test('a detail that is the envelope, whose data is exactly the object the writer was given: not DynamoDB JSON, not a JSON string', () => {
    expect(entries.map((e) => e.detail)).toEqual(published);
    expect(entries.map((e) => outboxEventFrom(e.detail).data)).toEqual([placed, cancelled]);
  });

  test('source, detail-type, occurred-at as the event time, the event id as its resource', () => {
    expect(entries.map(({ detail: _detail, ...envelope }) => envelope)).toEqual(published.map((e) => ({
      source: SOURCE, detailType: e.metadata.detailType, time: e.metadata.occurredAt, resources: [e.metadata.eventId],
    })));
  });
});

test('what the FIFO queue receives: the clean event as the body, grouped by aggregate, deduplicated by event id', async () => {
  const { filters, target } = synthesizedPipe(OutboxTarget.FIFO_QUEUE);
  const batch = records.filter((record) => filters.some((pattern: Record<string, unknown>) => matchesPattern(pattern, record)));
  const deliveries = await enrichmentHandler()(batch);
  const messages = deliveries.map((delivery) => ({
    body: applyInputTemplate(target.InputTemplate, delivery),
    group: targetParameter(target.SqsQueueParameters.MessageGroupId, delivery),
    deduplicationId: targetParameter(target.SqsQueueParameters.MessageDeduplicationId, delivery),
  }));
  expect(messages).toEqual(published.map((e) => ({ body: e, group: 'order-1', deduplicationId: e.metadata.eventId })));
  expect(messages.map((m) => outboxEventFrom(m.body).metadata.sequence)).toEqual([1, 2]);
  expect(outboxEventFrom(messages[0].body).data).toEqual(placed);
});
