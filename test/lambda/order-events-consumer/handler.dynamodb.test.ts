/**
 * The sample order-events consumer, configured only through its environment as in Lambda, against a real HTTP
 * downstream on 127.0.0.1 and the idempotency table on DynamoDB Local (reached through AWS_ENDPOINT_URL_DYNAMODB,
 * exactly as the deployed function reaches the real table through its default client).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { startFakeDownstream, FakeDownstream } from './fake-downstream';
import { dynamoDbLocalEndpoint, localDynamoDbClient } from '../../support/dynamodb-local';
import {
  createIdempotencyTable,
  eventBridgeEvent,
  idempotencyItems,
  lambdaContext,
  saveHandlerEnv,
  setEnv,
  sqsEvent,
  sqsRecord,
} from '../runtime/idempotent-fixtures';

type HandlerModule = typeof import('../../../lambda/order-events-consumer');

const TIMEOUT_MS = 400;
const restoreEnv = saveHandlerEnv();

let client: DynamoDBClient;
let downstream: FakeDownstream;
let tableName: string;
let handler: HandlerModule['handler'];

/** Loads the handler module afresh, as a new execution environment would, with these environment changes. */
function loadHandler(env: Record<string, string | undefined> = {}): HandlerModule {
  const previous = Object.fromEntries(Object.keys(env).map((name) => [name, process.env[name]]));
  setEnv(env);
  try {
    let loaded: HandlerModule | undefined;
    jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      loaded = require('../../../lambda/order-events-consumer');
    });
    return loaded!;
  } finally {
    setEnv(previous);
  }
}

const order = (orderId: string) => ({ orderId, customerId: 'c-42', total: 129.9, currency: 'EUR' });
const orderMessage = (orderId: string) => sqsRecord(eventBridgeEvent(order(orderId)));
const deliver = (...records: SQSRecord[]) => handler(sqsEvent(...records), lambdaContext());
const failedIds = (response: SQSBatchResponse) => response.batchItemFailures.map((f) => f.itemIdentifier);

beforeAll(async () => {
  client = localDynamoDbClient();
  tableName = await createIdempotencyTable(client);
  downstream = await startFakeDownstream({ slowMs: 3000 });
  setEnv({
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_SESSION_TOKEN: undefined,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDbLocalEndpoint(),
    AWS_LAMBDA_FUNCTION_NAME: 'order-events-consumer',
    IDEMPOTENCY_TABLE_NAME: tableName,
    EVENT_BODY_SHAPE: undefined,
    DOWNSTREAM_URL: downstream.url,
    DOWNSTREAM_TIMEOUT_MS: String(TIMEOUT_MS),
  });
  handler = loadHandler().handler;
});

afterAll(async () => {
  restoreEnv();
  await downstream?.close();
  client?.destroy();
});

let consoleError: jest.SpyInstance;
beforeEach(() => {
  // The handler logs record failures to the console; keep them for assertions and out of the test output.
  consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

const loggedErrorFor = (messageId: string) =>
  consoleError.mock.calls.map(([, details]) => details).find((details) => details?.messageId === messageId)?.error;

test('2xx: the order is POSTed as JSON with the event id as Idempotency-Key, and the record succeeds', async () => {
  const message = orderMessage('ok-1');
  const eventId = JSON.parse(message.body).id;

  expect(failedIds(await deliver(message))).toEqual([]);

  const [request] = downstream.requestsFor('ok-1');
  expect(request).toMatchObject({
    method: 'POST',
    path: '/orders',
    headers: { 'content-type': 'application/json', 'idempotency-key': eventId },
    body: order('ok-1'),
  });
  const items = await idempotencyItems(client, tableName);
  expect(items).toContainEqual(expect.objectContaining({
    id: expect.stringMatching(/^order-events-consumer#/),
    status: 'COMPLETED',
  }));
});

test('the same event delivered twice (new SQS message) reaches the downstream once', async () => {
  const event = eventBridgeEvent(order('ok-2'));

  expect(failedIds(await deliver(sqsRecord(event)))).toEqual([]);
  expect(failedIds(await deliver(sqsRecord(event), orderMessage('ok-3')))).toEqual([]);

  expect(downstream.requestsFor('ok-2')).toHaveLength(1);
  expect(downstream.requestsFor('ok-3')).toHaveLength(1);
});

test('500 from the downstream: a batch item failure, the rest of the batch succeeds', async () => {
  const failing = orderMessage('fail-1');
  const fine = orderMessage('ok-4');

  expect(failedIds(await deliver(failing, fine))).toEqual([failing.messageId]);

  expect(downstream.requestsFor('ok-4')).toHaveLength(1);
  expect(loggedErrorFor(failing.messageId)).toMatchObject({ name: 'DownstreamStatusError', message: expect.stringContaining('500') });
});

test('429 (rate limited) is a failure too, so SQS retries it later', async () => {
  const limited = orderMessage('limited-1');
  expect(failedIds(await deliver(limited, orderMessage('ok-5')))).toEqual([limited.messageId]);
  expect(loggedErrorFor(limited.messageId)).toMatchObject({ name: 'DownstreamStatusError' });
});

test('after a downstream failure the redelivered record calls the downstream again and then succeeds', async () => {
  const message = orderMessage('flaky-1');

  expect(failedIds(await deliver(message, orderMessage('ok-6')))).toEqual([message.messageId]);
  expect(failedIds(await deliver(message))).toEqual([]);
  expect(failedIds(await deliver(message))).toEqual([]);

  expect(downstream.requestsFor('flaky-1')).toHaveLength(2);
});

test('a slow downstream is cut off at DOWNSTREAM_TIMEOUT_MS and the record fails', async () => {
  const slow = orderMessage('slow-1');
  const started = Date.now();

  const response = await deliver(slow, orderMessage('ok-7'));

  expect(failedIds(response)).toEqual([slow.messageId]);
  // The downstream never answers in time: the bound is relative to the timeout under test.
  expect(Date.now() - started).toBeLessThan(4 * TIMEOUT_MS);
  expect(loggedErrorFor(slow.messageId)).toMatchObject({
    name: 'DownstreamTimeoutError',
    message: expect.stringContaining(`within ${TIMEOUT_MS} ms`),
  });
});

test('the call never outlives the invocation: the timeout shrinks to the remaining time less a margin', async () => {
  const { handler: patient } = loadHandler({ DOWNSTREAM_TIMEOUT_MS: '20000' });
  const slow = orderMessage('slow-2');
  const started = Date.now();

  const remainingMs = 1500;
  const response = await patient(sqsEvent(orderMessage('ok-8'), slow), lambdaContext(remainingMs));

  expect(failedIds(response)).toEqual([slow.messageId]);
  // Cut off before the invocation's deadline (the bound under test), not by the 20 s downstream timeout, and not
  // long before it either (the margin is a fraction of the remaining time).
  const elapsed = Date.now() - started;
  expect(elapsed).toBeGreaterThanOrEqual(remainingMs / 2);
  expect(elapsed).toBeLessThan(remainingMs);
  expect(loggedErrorFor(slow.messageId)?.name).toBe('DownstreamTimeoutError');
});

test('an event that is not a valid OrderPlaced fails without calling the downstream', async () => {
  const cancelled = sqsRecord(eventBridgeEvent(order('wrong-type'), { detailType: 'OrderCancelled' }));
  const foreign = sqsRecord(eventBridgeEvent(order('wrong-source'), { source: 'com.example.billing' }));
  const incomplete = sqsRecord(eventBridgeEvent({ orderId: 'no-total', customerId: 'c', currency: 'EUR' }));

  const response = await deliver(cancelled, foreign, incomplete, orderMessage('ok-9'));

  expect(failedIds(response)).toEqual([cancelled.messageId, foreign.messageId, incomplete.messageId]);
  for (const orderId of ['wrong-type', 'wrong-source', 'no-total']) expect(downstream.requestsFor(orderId)).toEqual([]);
  expect(downstream.requestsFor('ok-9')).toHaveLength(1);
  expect(loggedErrorFor(incomplete.messageId)).toMatchObject({
    name: 'InvalidOrderEventError',
    message: expect.stringContaining('total must be a number'),
  });
});

test('a body that is not JSON is a batch item failure', async () => {
  const broken = sqsRecord('not json', { rawBody: true });
  expect(failedIds(await deliver(broken, orderMessage('ok-10')))).toEqual([broken.messageId]);
});

test('misconfiguration fails the init with the variable named', () => {
  expect(() => loadHandler({ DOWNSTREAM_URL: undefined })).toThrow(/DOWNSTREAM_URL is not set/);
  expect(() => loadHandler({ DOWNSTREAM_URL: 'not a url' })).toThrow(/DOWNSTREAM_URL is not a URL/);
  expect(() => loadHandler({ DOWNSTREAM_TIMEOUT_MS: '0' })).toThrow(/DOWNSTREAM_TIMEOUT_MS must be a positive whole number/);
  expect(() => loadHandler({ IDEMPOTENCY_TABLE_NAME: undefined })).toThrow(/IDEMPOTENCY_TABLE_NAME/);
});
