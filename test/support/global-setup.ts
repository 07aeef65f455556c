import { DYNAMODB_LOCAL_ENV } from './dynamodb-local';
import { startDynamoDbLocal } from '../../scripts/dynamodb-local';

/** Starts the one DynamoDB Local this jest run shares; test files create uniquely named tables on it. */
export default async function globalSetup(): Promise<void> {
  const server = await startDynamoDbLocal();
  (globalThis as any).__DYNAMODB_LOCAL__ = server;
  process.env[DYNAMODB_LOCAL_ENV] = server.endpoint;
}
