/**
 * The order-service example end to end, offline: the shipped bundles of the command function, the outbox
 * enrichment and both consumers, on DynamoDB Local. The pipe's filter and target are applied as the construct
 * synthesizes them (see pipe-semantics.ts); EventBridge and SQS are stood in for by wrapping each bus entry in an
 * EventBridge event and an SQS record, as a rule target and the queue deliver them.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { examples } from '../../../lib';
import { createTestTable, dynamoDbLocalEndpoint, localDynamoDbClient } from '../../support/dynamodb-local';
import { applyInputTemplate, matchesPattern, targetParameter } from '../outbox-enrichment/pipe-semantics';
import { UNUSED_MALFORMED_QUEUE_URL } from '../outbox-enrichment/synthesized-pipe';
import { createIdempotencyTable, idempotencyItems, lambdaContext, saveHandlerEnv, setEnv, sqsEvent, sqsRecord } from '../runtime/idempotent-fixtures';
import { createOutboxTable, localStreamsClient, readStream } from '../runtime/outbox/local-stream';

const ASSETS = join(__dirname, '..', '..', '..', 'assets');
const restoreEnv = saveHandlerEnv();
type SqsHandler = (event: SQSEvent, context: ReturnType<typeof lambdaContext>) => Promise<SQSBatchResponse>;

/** Loads a shipped bundle afresh, as a new execution environment would, with its own environment. */
function loadBundle<T>(name: string, env: Record<string, string>): T {
  setEnv(env);
  let handler: T | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(join(ASSETS, name, 'index.js')).handler;
  });
  return handler!;
}

/** A consumer bundle with the environment its BufferedEventConsumer and IdempotencyTable give it. */
function loadConsumer(bundle: string, functionName: string, env: Record<string, string>): SqsHandler {
  return loadBundle<SqsHandler>(bundle, {
    AWS_LAMBDA_FUNCTION_NAME: functionName,
    IDEMPOTENCY_TABLE_NAME: tables.idempotency,
    BUFFERED_EVENT_INPUT: 'WHOLE_EVENT',
    ...env,
  });
}

let client: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let streamArn: string;
let tables: Record<'orders' | 'tracking' | 'inbox' | 'idempotency', string>;
let command: (c: unknown) => Promise<any>;

/** Everything the pipe would put on the bus so far, as the consumers' queues deliver it (a new EventBridge id each time). */
async function busDeliveries(): Promise<{ eventId: string; detailType: string; message: () => ReturnType<typeof sqsRecord> }[]> {
  const template = Template.fromStack(new examples.OrderServiceStack(new App(), 'OrderService'));
  const [pipe] = Object.values(template.findResources('AWS::Pipes::Pipe')) as any[];
  const filters = pipe.Properties.SourceParameters.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern));
  const target = pipe.Properties.TargetParameters;
  const bus = target.EventBridgeEventBusParameters;
  const batch = (await readStream(streams, streamArn)).filter((r) => filters.some((p: Record<string, unknown>) => matchesPattern(p, r)));
  const enrich = loadBundle<(records: unknown[]) => Promise<unknown[]>>('outbox-enrichment', {
    OUTBOX_EVENT_SOURCE: bus.Source,
    OUTBOX_MALFORMED_QUEUE_URL: UNUSED_MALFORMED_QUEUE_URL,
  });
  return (await enrich(batch)).map((delivery) => {
    const eventId = targetParameter(bus.Resources[0], delivery) as string;
    const detailType = targetParameter(bus.DetailType, delivery) as string;
    const message = () => sqsRecord({
      'version': '0',
      'id': randomUUID(),
      'detail-type': detailType,
      'source': targetParameter(bus.Source, delivery),
      'account': '111122223333',
      'time': targetParameter(bus.Time, delivery),
      'region': 'us-east-1',
      'resources': [eventId],
      'detail': applyInputTemplate(target.InputTemplate, delivery),
    });
    return { eventId, detailType, message };
  });
}

beforeAll(async () => {
  client = localDynamoDbClient();
  streams = localStreamsClient();
  const orders = await createOutboxTable(client);
  streamArn = orders.streamArn;
  tables = {
    orders: orders.tableName,
    tracking: await createTestTable(client, 'tracking', {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'orderId', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'orderId', KeyType: 'HASH' }],
    }),
    inbox: await createTestTable(client, 'inbox', {
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'restaurantId', AttributeType: 'S' }, { AttributeName: 'entry', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'restaurantId', KeyType: 'HASH' }, { AttributeName: 'entry', KeyType: 'RANGE' }],
    }),
    idempotency: await createIdempotencyTable(client),
  };
  setEnv({
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: undefined,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDbLocalEndpoint(),
  });
  command = loadBundle('outbox-order-commands', {
    OUTBOX_TABLE_NAME: tables.orders,
    OUTBOX_PARTITION_KEY: 'pk',
    OUTBOX_SORT_KEY: 'sk',
    OUTBOX_TIME_TO_LIVE_ATTRIBUTE: 'expiresAt',
    OUTBOX_RETENTION_SECONDS: '1209600',
    OUTBOX_EVENT_SOURCE: 'com.example.order-service',
    OUTBOX_TARGET: 'EVENT_BUS',
  });
});
afterAll(() => {
  restoreEnv();
  client.destroy();
  streams.destroy();
});

const placeOrder = {
  type: 'PlaceOrder',
  orderId: 'o-1001',
  customerId: 'c-7',
  restaurantId: 'r-3',
  lines: [{ sku: 'pizza', quantity: 2, unitPrice: 9.9 }, { sku: 'soda', quantity: 1, unitPrice: 2.5 }],
  currency: 'EUR',
};

test('commands change the order and publish their event once, retries included', async () => {
  expect(await command(placeOrder)).toEqual({ orderId: 'o-1001', outcome: 'PLACED', eventId: expect.any(String) });
  expect(await command(placeOrder)).toEqual({ orderId: 'o-1001', outcome: 'ALREADY_PLACED' });
  expect(await command({ type: 'CancelOrder', orderId: 'o-1001', reason: 'kitchen closed' })).toEqual({ orderId: 'o-1001', outcome: 'CANCELLED', eventId: expect.any(String) });
  expect(await command({ type: 'CancelOrder', orderId: 'o-1001', reason: 'again' })).toEqual({ orderId: 'o-1001', outcome: 'NOT_CANCELLABLE' });
  await expect(command({ ...placeOrder, orderId: 'o 2' })).rejects.toThrow(/orderId must be 1 to 64 letters/);

  const rows = await client.send(new QueryCommand({ TableName: tables.orders, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'ORDER#o-1001' } } }));
  // The order's one outbox item holds its latest event; both reached the stream, numbered 1 and 2.
  expect(rows.Items?.map((i) => [i.sk.S!.replace(/#.*/, '#…'), i.outboxDetailType?.S ?? i.status.S, i.outboxSequence?.N])).toEqual([
    ['ORDER', 'CANCELLED', undefined], ['OUTBOX#…', 'OrderCancelled', '2'],
  ]);
  expect((await busDeliveries()).map((d) => d.detailType)).toEqual(['OrderPlaced', 'OrderCancelled']);
});

test('the restaurant notifier handles each outbox event once, even delivered twice under new EventBridge ids', async () => {
  const notify = loadConsumer('outbox-restaurant-notifier', 'restaurant-notifier', { RESTAURANT_INBOX_TABLE: tables.inbox });
  const deliveries = await busDeliveries();
  const response = await notify(sqsEvent(...deliveries.map((d) => d.message()), ...deliveries.map((d) => d.message())), lambdaContext());
  expect(response.batchItemFailures).toEqual([]);

  const inbox = await client.send(new QueryCommand({ TableName: tables.inbox, KeyConditionExpression: 'restaurantId = :r', ExpressionAttributeValues: { ':r': { S: 'r-3' } } }));
  expect(inbox.Items?.map((i) => i.entry.S)).toEqual(['o-1001#cancelled', 'o-1001#placed']);
  expect(JSON.parse(inbox.Items![1].lines.S!)).toEqual(placeOrder.lines);
  const records = (await idempotencyItems(client, tables.idempotency)).filter((i) => String(i.id).startsWith('restaurant-notifier'));
  expect(records).toHaveLength(2);
});

test('the tracker retries a cancellation that arrives before its order (a bus keeps no order) and ends CANCELLED', async () => {
  const track = loadConsumer('outbox-order-tracker', 'order-tracker', { ORDER_TRACKING_TABLE: tables.tracking });
  const [placed, cancelled] = await busDeliveries();
  const early = cancelled.message();
  // Alone in its batch, the failure fails the invocation: SQS redelivers the message after its visibility timeout.
  await expect(track(sqsEvent(early), lambdaContext())).rejects.toThrow(/All records failed processing/);
  expect((await track(sqsEvent(placed.message(), early), lambdaContext())).batchItemFailures).toEqual([]);

  const tracked = await client.send(new GetItemCommand({ TableName: tables.tracking, Key: { orderId: { S: 'o-1001' } } }));
  expect(tracked.Item).toMatchObject({ status: { S: 'CANCELLED' }, total: { N: '22.3' } });
});
