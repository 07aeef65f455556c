/**
 * Integration test for TransactionalOutbox. Run against a real account with
 *   AWS_REGION=<region> npx integ-runner --directory test/integ --language typescript \
 *     --app "node -r ts-node/register/transpile-only {filePath}" integ.transactional-outbox.ts
 * The order-service command function (the shipped bundle, writing through the OutboxWriter) places one order through
 * an outbox with a bus target and one through an outbox with a FIFO queue target. The assertions read the event from
 * a queue: from the bus (through a rule), the detail is the outbox envelope whose data is the object the writer was
 * given, and the outbox event id is the event's resource; from the FIFO queue, the body is the envelope, grouped by the
 * order id, carrying the order's sequence number 1. CI only verifies the committed snapshot (no deployment).
 */
import { ExpectedResult, IntegTest, InvocationType, Match } from '@aws-cdk/integ-tests-alpha';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { integApp } from './integ-app';
import { OutboxTarget, PatternFunction, SecureQueue, TransactionalOutbox } from '../../lib';
import { bundledHandlerCode } from '../../lib/core/private/assets';

const SOURCE = 'com.example.integ-orders';
const ULID = '[0-9A-HJKMNP-TV-Z]{26}';

const app = integApp();
const stack = new Stack(app, 'TransactionalOutboxInteg');

const busOutbox = new TransactionalOutbox(stack, 'BusOutbox', { eventSource: SOURCE, eventBusProps: {}, removalPolicy: RemovalPolicy.DESTROY });
const fromBus = new SecureQueue(stack, 'FromBus');
new events.Rule(stack, 'OrderEvents', {
  eventBus: busOutbox.eventBus,
  eventPattern: { source: [SOURCE] },
  targets: [new targets.SqsQueue(fromBus.queue)],
});
const fifoOutbox = new TransactionalOutbox(stack, 'FifoOutbox', {
  eventSource: SOURCE,
  target: OutboxTarget.FIFO_QUEUE,
  removalPolicy: RemovalPolicy.DESTROY,
});

const writerFor = (id: string, outbox: TransactionalOutbox) => {
  const fn = new PatternFunction(stack, id, {
    code: bundledHandlerCode('outbox-order-commands'),
    handler: 'index.handler',
    memorySize: 256,
    timeout: Duration.seconds(10),
  });
  outbox.grantWrite(fn);
  return fn;
};

const integ = new IntegTest(app, 'OutboxDelivery', { testCases: [stack], regions: ['us-east-1'] });
const placeOrder = (fn: PatternFunction, orderId: string) =>
  integ.assertions.invokeFunction({
    functionName: fn.functionName,
    invocationType: InvocationType.REQUEST_RESPONSE,
    payload: JSON.stringify({
      type: 'PlaceOrder',
      orderId,
      customerId: 'c-1',
      restaurantId: 'r-1',
      currency: 'EUR',
      lines: [{ sku: 'pizza', quantity: 1, unitPrice: 9.5 }],
    }),
  });
const receive = (queueUrl: string) =>
  integ.assertions.awsApiCall('SQS', 'receiveMessage', {
    QueueUrl: queueUrl,
    MaxNumberOfMessages: 10,
    WaitTimeSeconds: 20,
    MessageSystemAttributeNames: ['MessageGroupId'],
  });

// The rule delivers the whole EventBridge event: a detail that is the envelope object (not a JSON string, not text
// with its quotes removed), the outbox event id as its resource.
placeOrder(writerFor('BusWriter', busOutbox), 'integ-bus-1').next(
  receive(fromBus.queue.queueUrl)
    .expect(ExpectedResult.objectLike({
      Messages: Match.arrayWith([Match.objectLike({
        Body: Match.stringLikeRegexp(`"detail-type":\\s*"OrderPlaced".*"source":\\s*"${SOURCE}".*"resources":\\s*\\["${ULID}"\\].*"detail":\\s*\\{"metadata":\\s*\\{.*"eventId":\\s*"${ULID}".*"data":\\s*\\{"orderId":\\s*"integ-bus-1"`),
      })]),
    }))
    .waitForAssertions({ totalTimeout: Duration.minutes(3) }),
);

// The FIFO queue gets the envelope as the body, in the order's message group: the order's first event, sequence 1.
placeOrder(writerFor('FifoWriter', fifoOutbox), 'integ-fifo-1').next(
  receive(fifoOutbox.queue!.queueUrl)
    .expect(ExpectedResult.objectLike({
      Messages: Match.arrayWith([Match.objectLike({
        Body: Match.stringLikeRegexp(`^\\{"metadata":\\s*\\{.*"eventId":\\s*"${ULID}".*"detailType":\\s*"OrderPlaced".*"sequence":\\s*1[,}].*"data":\\s*\\{"orderId":\\s*"integ-fifo-1"`),
        Attributes: { MessageGroupId: 'integ-fifo-1' },
      })]),
    }))
    .waitForAssertions({ totalTimeout: Duration.minutes(3) }),
);

app.synth();
