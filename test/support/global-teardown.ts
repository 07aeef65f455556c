import type { DynamoDbLocal } from '../../scripts/dynamodb-local';

export default async function globalTeardown(): Promise<void> {
  await ((globalThis as any).__DYNAMODB_LOCAL__ as DynamoDbLocal | undefined)?.stop();
}
