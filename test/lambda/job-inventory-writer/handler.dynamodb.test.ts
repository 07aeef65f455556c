/**
 * Runs the inventory writer against the real DynamoDB Local started by jest's global setup. The handler creates its
 * client at module load with no endpoint in code; the SDK's standard AWS_ENDPOINT_URL_DYNAMODB setting points it here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createTestTable, dynamoDbLocalEndpoint, localDynamoDbClient } from '../../support/dynamodb-local';
import { failedIds, FifoTestMessage, sqsFifoEvent } from '../runtime/sqs-fifo-event';

type WriterModule = typeof import('../../../lambda/job-inventory-writer');
const ENV_KEYS = ['TABLE_NAME', 'AWS_ENDPOINT_URL_DYNAMODB', 'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'];
const savedEnv = Object.fromEntries(ENV_KEYS.map((key) => [key, process.env[key]]));

let client: DynamoDBClient;
let documents: DynamoDBDocumentClient;
let tableName: string;
let handler: WriterModule['handler'];
let consoleError: jest.SpyInstance;

beforeAll(async () => {
  client = localDynamoDbClient();
  documents = DynamoDBDocumentClient.from(client);
  tableName = await createTestTable(client, 'job-inventory', {
    AttributeDefinitions: [{ AttributeName: 'jobId', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'jobId', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  Object.assign(process.env, {
    TABLE_NAME: tableName,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoDbLocalEndpoint(),
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  // Loaded after the environment is set because the handler reads it at init, as in Lambda. (A dynamic import()
  // would bypass jest's module registry under module=node16.)
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ({ handler } = require('../../../lambda/job-inventory-writer') as WriterModule);
});

afterAll(() => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  client.destroy();
});

beforeEach(() => {
  consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  consoleError.mockRestore();
});

async function getJob(jobId: string) {
  return (await documents.send(new GetCommand({ TableName: tableName, Key: { jobId }, ConsistentRead: true }))).Item;
}

function created(jobId: string, fields: Record<string, unknown> = {}): FifoTestMessage {
  return { groupId: jobId, eventType: 'JobCreated', body: { jobId, ...fields } };
}

function deleted(jobId: string): FifoTestMessage {
  return { groupId: jobId, eventType: 'JobDeleted', body: { jobId } };
}

test('JobCreated stores the job under its jobId', async () => {
  const response = await handler(sqsFifoEvent([created('job-create', { title: 'SRE', salary: 120000, skills: ['k8s'] })]));

  expect(response).toEqual({ batchItemFailures: [] });
  expect(await getJob('job-create')).toEqual({ jobId: 'job-create', title: 'SRE', salary: 120000, skills: ['k8s'] });
});

test('JobDeleted removes the job', async () => {
  await documents.send(new PutCommand({ TableName: tableName, Item: { jobId: 'job-delete', title: 'QA' } }));

  const response = await handler(sqsFifoEvent([deleted('job-delete')]));

  expect(response).toEqual({ batchItemFailures: [] });
  expect(await getJob('job-delete')).toBeUndefined();
});

test('create then delete of one job in one batch is applied in order', async () => {
  const response = await handler(sqsFifoEvent([created('job-seq', { title: 'PM' }), deleted('job-seq')]));

  expect(response).toEqual({ batchItemFailures: [] });
  expect(await getJob('job-seq')).toBeUndefined();
});

test('a redelivered JobCreated does not overwrite the stored job', async () => {
  await handler(sqsFifoEvent([created('job-dup', { title: 'First' })]));

  const response = await handler(sqsFifoEvent([created('job-dup', { title: 'Second' })]));

  expect(response).toEqual({ batchItemFailures: [] });
  expect(await getJob('job-dup')).toEqual({ jobId: 'job-dup', title: 'First' });
});

test('a redelivered JobDeleted for a job that is already gone succeeds', async () => {
  const response = await handler(sqsFifoEvent([deleted('job-never-existed')]));

  expect(response).toEqual({ batchItemFailures: [] });
  expect(await getJob('job-never-existed')).toBeUndefined();
});

test('an unexpected event type fails its record and holds back only that job', async () => {
  const event = sqsFifoEvent([
    { groupId: 'job-upd', eventType: 'JobUpdated', body: { jobId: 'job-upd', title: 'changed' } },
    created('job-other', { title: 'Other' }),
    created('job-upd', { title: 'late create' }),
  ]);

  const response = await handler(event);

  expect(failedIds(response)).toEqual(['msg-1', 'msg-3']);
  expect(await getJob('job-upd')).toBeUndefined();
  expect(await getJob('job-other')).toEqual({ jobId: 'job-other', title: 'Other' });
  expect(consoleError).toHaveBeenCalledWith('FIFO record failed', expect.objectContaining({
    error: expect.objectContaining({ message: expect.stringContaining('has eventType "JobUpdated"') }),
  }));
});

test('a malformed JobCreated keeps the later JobDeleted of the same job from running ahead of it', async () => {
  await documents.send(new PutCommand({ TableName: tableName, Item: { jobId: 'job-order', title: 'kept' } }));
  const event = sqsFifoEvent([
    { groupId: 'job-order', eventType: 'JobCreated', body: { title: 'no id' } },
    deleted('job-order'),
  ]);

  const response = await handler(event);

  expect(failedIds(response)).toEqual(['msg-1', 'msg-2']);
  expect(await getJob('job-order')).toEqual({ jobId: 'job-order', title: 'kept' });
});

test('writes nothing else to the table', async () => {
  const before = (await documents.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? [];

  await handler(sqsFifoEvent([created('job-scan'), deleted('job-scan')]));

  const after = (await documents.send(new ScanCommand({ TableName: tableName, ConsistentRead: true }))).Items ?? [];
  expect(after).toHaveLength(before.length);
});
