import { DescribeTableCommand } from '@aws-sdk/client-dynamodb';
import { createTestTable, localDynamoDbClient } from './dynamodb-local';

test('the shared DynamoDB Local answers and creates tables', async () => {
  const client = localDynamoDbClient();
  const name = await createTestTable(client, 'harness', {
    AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
  const table = await client.send(new DescribeTableCommand({ TableName: name }));
  expect(table.Table?.TableStatus).toBe('ACTIVE');
});
