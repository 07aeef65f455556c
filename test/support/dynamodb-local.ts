/**
 * One DynamoDB Local (the real Amazon jar, run on the local JVM) per jest run, started by global-setup.ts.
 * Tests create their own uniquely named tables, so files can run in parallel against one server.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, CreateTableCommandInput, DynamoDBClient, waitUntilTableExists } from '@aws-sdk/client-dynamodb';

export const DYNAMODB_LOCAL_ENV = 'TEST_DYNAMODB_ENDPOINT';

/** The endpoint of the shared DynamoDB Local started for this jest run. */
export function dynamoDbLocalEndpoint(): string {
  const endpoint = process.env[DYNAMODB_LOCAL_ENV];
  if (!endpoint) throw new Error(`${DYNAMODB_LOCAL_ENV} is not set: DynamoDB Local is started by test/support/global-setup.ts`);
  return endpoint;
}

/** A client for DynamoDB Local with dummy credentials (the local server accepts any). */
export function localDynamoDbClient(overrides: { endpoint?: string; maxAttempts?: number } = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint: overrides.endpoint ?? dynamoDbLocalEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: overrides.maxAttempts ?? 3,
  });
}

/** Creates a table with a unique name (prefix + random suffix) and waits until it is ACTIVE. */
export async function createTestTable(
  client: DynamoDBClient,
  prefix: string,
  input: Omit<CreateTableCommandInput, 'TableName'>,
): Promise<string> {
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  await client.send(new CreateTableCommand({ ...input, TableName: tableName }));
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: tableName });
  return tableName;
}
