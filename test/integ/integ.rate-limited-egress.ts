/**
 * Integration test for RateLimitedEgress (BUFFERED). Run against a real account with
 *   AWS_REGION=<region> npx integ-runner --directory test/integ --language typescript \
 *     --app "node -r ts-node/register/transpile-only {filePath}" integ.rate-limited-egress.ts
 * The partner is a function URL in the same stack: it refuses requests without the API key from the secret, answers
 * 503 while a "down" item exists in its table, and otherwise records each order with the idempotency key it came
 * with and how many times it arrived. The assertions check, on real services, what the local proof can only model:
 * 1. an order event is delivered once, with the key `event:<EventBridge event id>` and the API key header;
 * 2. while the partner is down the circuit opens and the buffer's event source mapping is disabled (the Lambda
 *    UpdateEventSourceMapping call and the delivery function's ListEventSourceMappings lookup);
 * 3. when the partner is back, the drain controller's probe closes the circuit, the mapping is enabled again, the
 *    orders that waited are delivered, and the dead-letter queue stays empty.
 * CI only verifies the committed snapshot (no deployment).
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { integApp } from './integ-app';
import { EgressDeliveryPath, RateLimitedEgress } from '../../lib';

const app = integApp();
const stack = new Stack(app, 'RateLimitedEgressInteg');
const bus = new events.EventBus(stack, 'Bus');
const received = new dynamodb.TableV2(stack, 'Received', {
  partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  removalPolicy: RemovalPolicy.DESTROY,
});
const apiKey = new secretsmanager.Secret(stack, 'PartnerApiKey', { generateSecretString: { excludePunctuation: true } });

const DOWN_ITEM = '__partner_down__';
const partner = new lambda.Function(stack, 'Partner', {
  runtime: lambda.Runtime.NODEJS_22_X,
  handler: 'index.handler',
  timeout: Duration.seconds(10),
  environment: { RECEIVED_TABLE: received.tableName, API_KEY_SECRET: apiKey.secretArn, DOWN_ITEM },
  code: lambda.Code.fromInline(`
const { DynamoDBClient, GetItemCommand, UpdateItemCommand } = require('@aws-sdk/client-dynamodb');
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const db = new DynamoDBClient({});
const key = new SecretsManagerClient({}).send(new GetSecretValueCommand({ SecretId: process.env.API_KEY_SECRET }));
exports.handler = async (request) => {
  const down = await db.send(new GetItemCommand({ TableName: process.env.RECEIVED_TABLE, Key: { id: { S: process.env.DOWN_ITEM } }, ConsistentRead: true }));
  if (down.Item) return { statusCode: 503 };
  if (request.requestContext.http.method === 'GET') return { statusCode: 200 };
  if (request.headers['x-api-key'] !== (await key).SecretString) return { statusCode: 401 };
  const event = JSON.parse(request.isBase64Encoded ? Buffer.from(request.body, 'base64').toString() : request.body);
  await db.send(new UpdateItemCommand({
    TableName: process.env.RECEIVED_TABLE,
    Key: { id: { S: event.detail.orderId } },
    UpdateExpression: 'SET idempotencyKey = :k ADD deliveries :one',
    ExpressionAttributeValues: { ':k': { S: request.headers['idempotency-key'] || 'none' }, ':one': { N: '1' } },
  }));
  return { statusCode: 200 };
};`),
});
received.grantReadWriteData(partner);
apiKey.grantRead(partner);
const partnerUrl = partner.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.NONE });

const egress = new RateLimitedEgress(stack, 'Egress', {
  deliveryPath: EgressDeliveryPath.BUFFERED,
  eventBus: bus,
  eventPattern: { source: ['integ.orders'], detailType: ['OrderPlaced'] },
  endpointUrl: partnerUrl.url,
  rateLimitPerSecond: 5,
  apiKeySecret: apiKey,
  // Three failures in a minute open the circuit; the drain controller probes 30 s later.
  circuitBreakerProps: { failureThreshold: 3, failureWindow: Duration.minutes(1), openTimeout: Duration.seconds(30) },
});

const integ = new IntegTest(app, 'RateLimitedEgressDelivery', { testCases: [stack], regions: ['us-east-1'] });
const putOrder = (orderId: string) =>
  integ.assertions.awsApiCall('EventBridge', 'putEvents', {
    Entries: [{ EventBusName: bus.eventBusName, Source: 'integ.orders', DetailType: 'OrderPlaced', Detail: JSON.stringify({ orderId }) }],
  });
const receivedItem = (orderId: string) =>
  integ.assertions.awsApiCall('DynamoDB', 'getItem', { TableName: received.tableName, Key: { id: { S: orderId } }, ConsistentRead: true });
const mappingState = (state: string) =>
  integ.assertions
    .awsApiCall('Lambda', 'getEventSourceMapping', { UUID: egress.eventSourceMapping!.eventSourceMappingId })
    .expect(ExpectedResult.objectLike({ State: state }))
    .waitForAssertions({ totalTimeout: Duration.minutes(8), interval: Duration.seconds(15) });

// 1. Delivered once, with the event's idempotency key.
const first = putOrder('integ-order-1');
first.next(
  receivedItem('integ-order-1')
    .expect(ExpectedResult.objectLike({ Item: { idempotencyKey: { S: `event:${first.getAttString('Entries.0.EventId')}` }, deliveries: { N: '1' } } }))
    .waitForAssertions({ totalTimeout: Duration.minutes(3) }),
)
  // 2. The partner goes down: the circuit opens and the buffer stops draining.
  .next(integ.assertions.awsApiCall('DynamoDB', 'putItem', { TableName: received.tableName, Item: { id: { S: DOWN_ITEM } } }))
  .next(putOrder('integ-outage-1'))
  .next(putOrder('integ-outage-2'))
  .next(putOrder('integ-outage-3'))
  .next(putOrder('integ-outage-4'))
  .next(mappingState('Disabled'))
  // 3. The partner is back: one probe, the mapping is enabled, the waiting orders arrive, nothing is dead-lettered.
  .next(integ.assertions.awsApiCall('DynamoDB', 'deleteItem', { TableName: received.tableName, Key: { id: { S: DOWN_ITEM } } }))
  .next(mappingState('Enabled'))
  .next(
    receivedItem('integ-outage-4')
      .expect(ExpectedResult.objectLike({ Item: { id: { S: 'integ-outage-4' } } }))
      .waitForAssertions({ totalTimeout: Duration.minutes(5) }),
  )
  .next(
    integ.assertions
      .awsApiCall('SQS', 'getQueueAttributes', { QueueUrl: egress.deadLetterQueue.queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] })
      .expect(ExpectedResult.objectLike({ Attributes: { ApproximateNumberOfMessages: '0' } })),
  );

app.synth();
