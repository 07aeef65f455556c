/**
 * Builders for the Lambda inputs the consumer sees (SQS records carrying EventBridge events, a Lambda context) and
 * readers for the real idempotency table on DynamoDB Local.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Context, EventBridgeEvent, SQSEvent, SQSRecord } from 'aws-lambda';
import type { IdempotentConsumerLogger } from '../../../lambda/runtime/idempotent-consumer';
import { createTestTable } from '../../support/dynamodb-local';

export const STANDARD_QUEUE_ARN = 'arn:aws:sqs:us-east-1:111122223333:order-events-buffer';
export const FIFO_QUEUE_ARN = 'arn:aws:sqs:us-east-1:111122223333:order-events-buffer.fifo';

/** An EventBridge event as a rule target delivers it, with a fresh id unless one is given. */
export function eventBridgeEvent<T>(
  detail: T,
  overrides: { id?: string; detailType?: string; source?: string } = {},
): EventBridgeEvent<string, T> {
  return {
    'version': '0',
    'id': overrides.id ?? randomUUID(),
    'detail-type': overrides.detailType ?? 'OrderPlaced',
    'source': overrides.source ?? 'com.example.orders',
    'account': '111122223333',
    'time': new Date().toISOString(),
    'region': 'us-east-1',
    'resources': [],
    detail,
  };
}

/** One SQS record with the given body; a fresh message id unless one is given. */
export function sqsRecord(
  body: unknown,
  options: { messageId?: string; queueArn?: string; messageGroupId?: string; rawBody?: boolean } = {},
): SQSRecord {
  const queueArn = options.queueArn ?? STANDARD_QUEUE_ARN;
  return {
    messageId: options.messageId ?? randomUUID(),
    receiptHandle: `receipt-${randomUUID()}`,
    body: options.rawBody ? String(body) : JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(Date.now()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(Date.now()),
      ...(options.messageGroupId && { MessageGroupId: options.messageGroupId, SequenceNumber: String(Date.now()) }),
    },
    messageAttributes: {},
    md5OfBody: 'not-checked',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'us-east-1',
  };
}

/** The Lambda event for a batch of records. */
export function sqsEvent(...records: SQSRecord[]): SQSEvent {
  return { Records: records };
}

/** A Lambda context whose remaining time counts down from `remainingMs`, as the real one does. */
export function lambdaContext(remainingMs = 30_000): Context {
  const deadline = Date.now() + remainingMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'order-events-consumer',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:order-events-consumer',
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/order-events-consumer',
    logStreamName: 'stream',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A table shaped as the IdempotencyTable construct makes it: partition key `id` (string). */
export function createIdempotencyTable(client: DynamoDBClient): Promise<string> {
  return createTestTable(client, 'idempotency', {
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
}

/** Every item in the table, unmarshalled. */
export async function idempotencyItems(client: DynamoDBClient, tableName: string): Promise<Record<string, any>[]> {
  const result = await DynamoDBDocumentClient.from(client).send(new ScanCommand({ TableName: tableName, ConsistentRead: true }));
  return result.Items ?? [];
}

/** Overwrites attributes of one stored item, to put it in a state (expired, stale in-progress) tests need. */
export async function setItemAttributes(
  client: DynamoDBClient,
  tableName: string,
  id: string,
  values: { status?: string; expiration?: number; in_progress_expiration?: number },
): Promise<void> {
  const entries = Object.entries(values);
  await DynamoDBDocumentClient.from(client).send(new UpdateCommand({
    TableName: tableName,
    Key: { id },
    UpdateExpression: `SET ${entries.map((_, i) => `#a${i} = :v${i}`).join(', ')}`,
    ExpressionAttributeNames: Object.fromEntries(entries.map(([name], i) => [`#a${i}`, name])),
    ExpressionAttributeValues: Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])),
    ConditionExpression: 'attribute_exists(id)',
  }));
}

/** A logger that keeps what it was told, so tests can assert on it and runs stay quiet. */
export function recordingLogger(): IdempotentConsumerLogger & { entries: { level: string; message: string; details: any }[] } {
  const entries: { level: string; message: string; details: any }[] = [];
  const log = (level: string) => (message: string, details: Record<string, unknown>) => {
    entries.push({ level, message, details });
  };
  return { entries, info: log('info'), warn: log('warn'), error: log('error') };
}

/** Environment variables the order-events consumer (and the AWS SDK in it) reads; its tests set and restore them. */
const HANDLER_ENV_NAMES = [
  'AWS_REGION', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_ENDPOINT_URL_DYNAMODB',
  'AWS_LAMBDA_FUNCTION_NAME', 'IDEMPOTENCY_TABLE_NAME', 'BUFFERED_EVENT_INPUT', 'DOWNSTREAM_URL', 'DOWNSTREAM_TIMEOUT_MS',
];

/** Sets (or, for `undefined`, deletes) environment variables. */
export function setEnv(env: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
}

/** Remembers the handler's environment variables as they are now, and returns what puts them back. */
export function saveHandlerEnv(): () => void {
  const saved = Object.fromEntries(HANDLER_ENV_NAMES.map((name) => [name, process.env[name]]));
  return () => setEnv(saved);
}
