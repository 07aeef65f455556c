/**
 * Integration test for BufferedEventConsumer. Run against a real account with
 *   AWS_REGION=<region> npx integ-runner --directory test/integ --language typescript \
 *     --app "node -r ts-node/register/transpile-only {filePath}" integ.buffered-consumer.ts
 * It puts an OrderPlaced event on a new bus and asserts the consumer received it (the consumer records the order
 * id in a table the assertion reads). CI only verifies the committed snapshot (no deployment).
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { integApp } from './integ-app';
import { BufferedEventConsumer } from '../../lib';

const app = integApp();
const stack = new Stack(app, 'BufferedConsumerInteg');
const bus = new events.EventBus(stack, 'Bus');
const received = new dynamodb.TableV2(stack, 'Received', {
  partitionKey: { name: 'orderId', type: dynamodb.AttributeType.STRING },
  removalPolicy: RemovalPolicy.DESTROY,
});
const consumer = new BufferedEventConsumer(stack, 'Orders', {
  eventBus: bus,
  eventPattern: { source: ['integ.orders'], detailType: ['OrderPlaced'] },
  maxConcurrency: 2,
  consumerProps: {
    handler: 'index.handler',
    environment: { RECEIVED_TABLE: received.tableName },
    // Records each order id it receives; the assertion below looks for it.
    code: lambda.Code.fromInline(`
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const client = new DynamoDBClient({});
exports.handler = async (event) => {
  for (const record of event.Records) {
    const body = JSON.parse(record.body);
    await client.send(new PutItemCommand({
      TableName: process.env.RECEIVED_TABLE,
      Item: { orderId: { S: body.detail.orderId }, eventId: { S: body.id } },
    }));
  }
  return { batchItemFailures: [] };
};`),
  },
});
received.grantWriteData(consumer.consumer);

const integ = new IntegTest(app, 'BufferedConsumerDelivery', { testCases: [stack], regions: ['us-east-1'] });
integ.assertions
  .awsApiCall('EventBridge', 'putEvents', {
    Entries: [
      {
        EventBusName: bus.eventBusName,
        Source: 'integ.orders',
        DetailType: 'OrderPlaced',
        Detail: JSON.stringify({ orderId: 'integ-order-1' }),
      },
    ],
  })
  .next(
    integ.assertions
      .awsApiCall('DynamoDB', 'getItem', { TableName: received.tableName, Key: { orderId: { S: 'integ-order-1' } } })
      .expect(ExpectedResult.objectLike({ Item: { orderId: { S: 'integ-order-1' } } }))
      .waitForAssertions({ totalTimeout: Duration.minutes(3) }),
  );

app.synth();
