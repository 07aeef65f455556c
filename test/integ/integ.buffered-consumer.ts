/**
 * Integration test for BufferedEventConsumer. Run against a real account with
 *   AWS_REGION=<region> npx integ-runner --directory test/integ --language typescript \
 *     --app "node -r ts-node/register/transpile-only {filePath}" integ.buffered-consumer.ts
 * It puts an event on a new bus for a standard and for a FIFO buffer and asserts each consumer received it (the
 * consumers record the order id, and the SQS message group the FIFO pipe set from the event, in a table the
 * assertions read). CI only verifies the committed snapshot (no deployment).
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
// Records each order id it receives, with the SQS message group when there is one; the assertions look for them.
const recorderCode = lambda.Code.fromInline(`
const { DynamoDBClient, PutItemCommand } = require('@aws-sdk/client-dynamodb');
const client = new DynamoDBClient({});
exports.handler = async (event) => {
  for (const record of event.Records) {
    // A FIFO buffer's ingest pipe wraps the event in {"body": ...}; the construct names the field in the environment.
    const parsed = JSON.parse(record.body);
    const body = process.env.BUFFERED_EVENT_BODY_FIELD ? parsed[process.env.BUFFERED_EVENT_BODY_FIELD] : parsed;
    await client.send(new PutItemCommand({
      TableName: process.env.RECEIVED_TABLE,
      Item: { orderId: { S: body.detail.orderId }, eventId: { S: body.id }, group: { S: record.attributes.MessageGroupId || 'none' } },
    }));
  }
  return { batchItemFailures: [] };
};`);

// A standard buffer, and a FIFO buffer whose message group the pipe takes from the event's customerId.
const variants = [
  { id: 'Orders', detailType: 'OrderPlaced', orderId: 'integ-order-1', group: 'none', fifo: false },
  { id: 'FifoOrders', detailType: 'FifoOrderPlaced', orderId: 'integ-fifo-order-1', group: 'customer-7', fifo: true },
];
const integ = new IntegTest(app, 'BufferedConsumerDelivery', { testCases: [stack], regions: ['us-east-1'] });
for (const v of variants) {
  const consumer = new BufferedEventConsumer(stack, v.id, {
    eventBus: bus,
    eventPattern: { source: ['integ.orders'], detailType: [v.detailType] },
    maxConcurrency: 2,
    ...(v.fifo ? { fifo: true, messageGroupIdPath: '$.detail.customerId' } : {}),
    consumerProps: { handler: 'index.handler', environment: { RECEIVED_TABLE: received.tableName }, code: recorderCode },
  });
  received.grantWriteData(consumer.consumer);
  integ.assertions
    .awsApiCall('EventBridge', 'putEvents', {
      Entries: [
        {
          EventBusName: bus.eventBusName,
          Source: 'integ.orders',
          DetailType: v.detailType,
          Detail: JSON.stringify({ orderId: v.orderId, customerId: 'customer-7' }),
        },
      ],
    })
    .next(
      integ.assertions
        .awsApiCall('DynamoDB', 'getItem', { TableName: received.tableName, Key: { orderId: { S: v.orderId } } })
        .expect(ExpectedResult.objectLike({ Item: { orderId: { S: v.orderId }, group: { S: v.group } } }))
        .waitForAssertions({ totalTimeout: Duration.minutes(3) }),
    );
}

app.synth();
