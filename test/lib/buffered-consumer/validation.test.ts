import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BufferedEventConsumer, BufferedEventConsumerProps, BufferedEventInput } from '../../../lib';
import { existingQueue, INLINE_CODE, newStack } from '../../support/cdk';

const base: BufferedEventConsumerProps = {
  eventPattern: { source: ['com.example.orders'] },
  consumerProps: { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(30) },
};
const build = (stack: Stack, extra: Partial<BufferedEventConsumerProps>, id = 'Orders') =>
  new BufferedEventConsumer(stack, id, { ...base, ...extra });

const invalid: [string, (s: Stack) => unknown, RegExp][] = [
  ['a FIFO queue without a message group source', (s) => build(s, { fifo: true }), /\[Test\/Orders\] a FIFO buffer queue needs a message group source.*Fix: pass messageGroupIdPath/],
  ['a message group path on a standard queue', (s) => build(s, { messageGroupIdPath: '$.detail.id' }), /messageGroupIdPath "\$\.detail\.id" was given for a standard queue/],
  ['a message group path that is not a JSON path', (s) => build(s, { fifo: true, messageGroupIdPath: 'detail.id' }), /is not a JSON path into the event/],
  ['a batch size over the SQS limit', (s) => build(s, { batchSize: 20_000, maxBatchingWindow: Duration.seconds(5) }), /batchSize 20000 is outside 1\.\.10000 for a standard queue/],
  ['a batch size over 10 on FIFO', (s) => build(s, { fifo: true, messageGroupIdPath: '$.detail.id', batchSize: 11 }), /batchSize 11 is outside 1\.\.10 for a FIFO queue/],
  ['a batching window with a FIFO queue', (s) => build(s, { fifo: true, messageGroupIdPath: '$.detail.id', maxBatchingWindow: Duration.seconds(5) }), /maxBatchingWindow is not supported for FIFO queues/],
  ['maxConcurrency below the service minimum', (s) => build(s, { maxConcurrency: 1 }), /maxConcurrency 1 is outside the SQS event source range 2\.\.1000/],
  ['a visibility timeout shorter than the consumer needs', (s) => build(s, { queueProps: { visibilityTimeout: Duration.seconds(60) } }), /visibilityTimeout 1 minute is shorter than the 3 minutes the consumer needs/],
  ['an empty event pattern', (s) => build(s, { eventPattern: {} }), /eventPattern is empty, so the rule would buffer every event on the bus/],
  ['retry attempts above 185', (s) => build(s, { retryAttempts: 200 }), /retryAttempts 200 is outside 0\.\.185/],
  ['a max event age over 24 hours', (s) => build(s, { maxEventAge: Duration.hours(25) }), /maxEventAge 1 day 1 hour is outside 1 minute\.\.24 hours/],
  ['both consumer and consumerProps', (s) => build(s, { consumer: lambda.Function.fromFunctionName(s, 'F', 'f') }), /both consumer and consumerProps were given/],
  ['neither consumer nor consumerProps', (s) => build(s, { consumerProps: undefined }), /neither consumer nor consumerProps was given/],
  ['an existing queue of the wrong kind', (s) => build(s, { queue: existingQueue(s, 'Q', { fifo: true }) }), /existing queue Test\/Q is FIFO but fifo is false/],
  [
    'one queue shared by two consumers',
    (s) => {
      const queue = existingQueue(s, 'Shared', { visibilityTimeout: Duration.minutes(3) });
      build(s, { queue }, 'First');
      build(s, { queue, eventPattern: { source: ['other'] } }, 'Second');
    },
    /\[Test\/Second\] queue Test\/Shared is already consumed by Test\/First/,
  ],
  [
    'an existing queue whose visibility timeout is too short for the consumer',
    (s) => build(s, { queue: existingQueue(s, 'Q', { visibilityTimeout: Duration.minutes(2) }) }),
    /\[Test\/Orders\] the existing queue Test\/Q has a visibility timeout of 120 seconds, shorter than the 180 seconds/,
  ],
  [
    'a FIFO group path outside the detail when only the detail is buffered',
    (s) => build(s, { fifo: true, input: BufferedEventInput.DETAIL, messageGroupIdPath: '$.source' }),
    /messageGroupIdPath "\$\.source" points outside \$\.detail, but only the detail is buffered/,
  ],
  ['both eventBus and eventBusProps', (s) => build(s, { eventBus: new events.EventBus(s, 'Bus'), eventBusProps: {} }), /both eventBus and eventBusProps were given/],
  [
    'a customer managed key on a standard buffer queue',
    (s) => build(s, { queueProps: { encryption: sqs.QueueEncryption.KMS } }),
    /customer managed KMS key, so its policy cannot limit senders to this rule.*Fix: use SQS-managed encryption/,
  ],
  [
    'an existing standard queue with a customer managed key',
    (s) => build(s, { queue: new sqs.Queue(s, 'Q', { encryptionMasterKey: new kms.Key(s, 'K') }) }),
    /customer managed KMS key, so its policy cannot limit senders to this rule/,
  ],
  ['queueProps.fifo instead of fifo', (s) => build(s, { queueProps: { fifo: true } }), /queueProps\.fifo was given/],
];

test.each(invalid)('rejects %s with a message naming the fix', (_name, make, message) => {
  expect(() => make(newStack())).toThrow(message);
  expect(() => make(newStack())).toThrow(/Fix: /);
});

test('several consumers on one bus are fine, each with its own queue', () => {
  const stack = newStack();
  const bus = new events.EventBus(stack, 'Bus');
  build(stack, { eventBus: bus }, 'A');
  build(stack, { eventBus: bus, eventPattern: { source: ['b'] } }, 'B');
  expect(stack.node.findAll().filter((c) => c instanceof sqs.Queue)).toHaveLength(6);
});

test('a FIFO buffer may use a customer managed key: the rule sends to the SQS-managed ingest queue', () => {
  const stack = newStack();
  const c = build(stack, { fifo: true, messageGroupIdPath: '$.detail.id', queueProps: { encryption: sqs.QueueEncryption.KMS } });
  expect(c.queue.encryptionMasterKey).toBeDefined();
  expect(c.ingestQueue!.encryptionMasterKey).toBeUndefined();
});
