/**
 * The esbuild bundle that ships (assets/order-events-consumer/index.js), not the TypeScript source: minified, with
 * the AWS SDK left external as in the Lambda runtime. `npm test` bundles before jest runs.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSBatchResponse, SQSEvent, Context } from 'aws-lambda';
import { FakeDownstream, startFakeDownstream } from './fake-downstream';
import { dynamoDbLocalEndpoint, localDynamoDbClient } from '../../support/dynamodb-local';
import {
  createIdempotencyTable,
  eventBridgeEvent,
  idempotencyItems,
  lambdaContext,
  saveHandlerEnv,
  sqsEvent,
  sqsRecord,
} from '../runtime/idempotent-fixtures';

const BUNDLE = join(__dirname, '..', '..', '..', 'assets', 'order-events-consumer', 'index.js');
const restoreEnv = saveHandlerEnv();

let client: DynamoDBClient;
let downstream: FakeDownstream;
let tableName: string;

beforeAll(async () => {
  client = localDynamoDbClient();
  tableName = await createIdempotencyTable(client);
  downstream = await startFakeDownstream();
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDbLocalEndpoint(),
    AWS_LAMBDA_FUNCTION_NAME: 'order-events-consumer-bundle',
    IDEMPOTENCY_TABLE_NAME: tableName,
    DOWNSTREAM_URL: downstream.url,
    DOWNSTREAM_TIMEOUT_MS: '400',
  });
  delete process.env.AWS_SESSION_TOKEN;
  delete process.env.EVENT_BODY_SHAPE;
});

afterAll(async () => {
  restoreEnv();
  await downstream?.close();
  client?.destroy();
});

test('the bundled handler forwards once per event and reports a failing record', async () => {
  if (!existsSync(BUNDLE)) throw new Error(`${BUNDLE} is missing: run \`node scripts/bundle.mjs\` (npm test does) first`);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { handler } = require(BUNDLE) as { handler: (event: SQSEvent, context: Context) => Promise<SQSBatchResponse> };
  const event = eventBridgeEvent({ orderId: 'bundle-ok', customerId: 'c-1', total: 10, currency: 'USD' });
  const failing = sqsRecord(eventBridgeEvent({ orderId: 'fail-bundle', customerId: 'c-1', total: 10, currency: 'USD' }));

  const first = await handler(sqsEvent(sqsRecord(event), failing), lambdaContext());
  const second = await handler(sqsEvent(sqsRecord(event)), lambdaContext());

  expect(first.batchItemFailures).toEqual([{ itemIdentifier: failing.messageId }]);
  expect(second.batchItemFailures).toEqual([]);
  expect(downstream.requestsFor('bundle-ok')).toHaveLength(1);
  expect(downstream.requestsFor('fail-bundle')).toHaveLength(1);
  const items = await idempotencyItems(client, tableName);
  expect(items).toEqual([expect.objectContaining({ id: expect.stringMatching(/^order-events-consumer-bundle#/), status: 'COMPLETED' })]);
});
