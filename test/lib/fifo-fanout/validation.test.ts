import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { FifoFanout, PatternFunction } from '../../../lib';
import { existingQueue, INLINE_CODE, newStack } from '../../support/cdk';

const fn = (stack: Stack, timeout = 30) =>
  new PatternFunction(stack, 'Consumer', { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(timeout) });

const invalid: [string, (stack: Stack) => void, RegExp][] = [
  [
    'a standard queue on the FIFO topic',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('Analytics', { queue: new sqs.Queue(s, 'Standard') }),
    /\[Test\/Jobs\/Analytics\] FIFO topic Test\/Jobs\/Topic cannot deliver to standard queue Test\/Standard\. Fix: subscribe a FIFO queue/,
  ],
  ['a topic name without .fifo', (s) => new FifoFanout(s, 'Jobs', { topicName: 'JobEvents' }), /FIFO topic name "JobEvents" does not end in \.fifo\. Fix: rename it to "JobEvents\.fifo"/],
  ['an existing standard topic', (s) => new FifoFanout(s, 'Jobs', { topic: new sns.Topic(s, 'Std') }), /topic Test\/Std is a standard topic/],
  [
    'maxReceiveCount 1',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { queueProps: { maxReceiveCount: 1 } }),
    /\[Test\/Jobs\/A\/Queue\] maxReceiveCount 1 is not allowed/,
  ],
  [
    'a consumer whose timeout makes the visibility timeout too short',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { consumer: fn(s, 60), queueProps: { visibilityTimeout: Duration.minutes(5) } }),
    /visibilityTimeout 5 minutes is shorter than the 6 minutes the consumer needs/,
  ],
  [
    'a standard DLQ for the FIFO queue',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { queueProps: { deadLetterQueue: new sqs.Queue(s, 'Dlq') } }),
    /FIFO queue cannot use the standard dead-letter queue Test\/Dlq/,
  ],
  [
    'too many subscribers for a FIFO topic',
    (s) => {
      const fanout = new FifoFanout(s, 'Jobs');
      for (let i = 0; i <= 100; i++) fanout.addSubscriber(`S${i}`);
    },
    /subscriber S100 would be subscription 101 of a FIFO topic, above the default quota of 100/,
  ],
  [
    'a standard queue requested through queueProps',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { queueProps: { fifo: false } }),
    /asks for a standard queue \(queueProps\.fifo: false\) on a FIFO topic/,
  ],
  [
    'both filter policy scopes',
    (s) =>
      new FifoFanout(s, 'Jobs').addSubscriber('A', {
        filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['x'] }) },
        filterPolicyWithMessageBody: { t: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.existsFilter()) },
      }),
    /has both filterPolicy and filterPolicyWithMessageBody/,
  ],
  [
    'a filter policy with more than 150 combinations',
    (s) =>
      new FifoFanout(s, 'Jobs').addSubscriber('A', {
        filterPolicy: {
          a: sns.SubscriptionFilter.stringFilter({ allowlist: Array.from({ length: 13 }, (_, i) => `a${i}`) }),
          b: sns.SubscriptionFilter.stringFilter({ allowlist: Array.from({ length: 12 }, (_, i) => `b${i}`) }),
        },
      }),
    /filter policy has 156 value combinations, SNS allows 150/,
  ],
  [
    'a filter policy with six keys',
    (s) =>
      new FifoFanout(s, 'Jobs').addSubscriber('A', {
        filterPolicy: Object.fromEntries(['a', 'b', 'c', 'd', 'e', 'f'].map((k) => [k, sns.SubscriptionFilter.existsFilter()])),
      }),
    /filter policy has 6 keys \(a, b, c, d, e, f\), SNS allows 5/,
  ],
  ['a FIFO batch size over 10', (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { consumer: fn(s), batchSize: 20 }), /batchSize 20 is outside 1\.\.10 for a FIFO queue/],
  [
    'a batching window on a FIFO consumer',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { consumer: fn(s), maxBatchingWindow: Duration.seconds(10) }),
    /maxBatchingWindow is not supported for FIFO queues/,
  ],
  ['maxConcurrency below 2', (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { consumer: fn(s), maxConcurrency: 1 }), /maxConcurrency 1 is outside/],
  ['consumer options without a consumer', (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { maxConcurrency: 5 }), /has consumer options but no consumer/],
  [
    'an imported consumer without its timeout',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { consumer: lambda.Function.fromFunctionName(s, 'Ext', 'ext') }),
    /timeout of imported function Test\/Ext cannot be read/,
  ],
  [
    'topic options together with an existing topic',
    (s) => new FifoFanout(s, 'Jobs', { topic: new sns.Topic(s, 'T', { fifo: true }), topicName: 'x.fifo' }),
    /topicName only shape a topic the construct creates, but topic was given/,
  ],
  [
    'throughput and display name options with an existing topic',
    (s) => new FifoFanout(s, 'Jobs', { topic: new sns.Topic(s, 'T', { fifo: true }), highThroughput: false, displayName: 'Jobs' }),
    /highThroughput, displayName only shape a topic the construct creates/,
  ],
  [
    'an existing queue together with queueProps',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { queue: existingQueue(s, 'Q', { fifo: true }), queueProps: { maxReceiveCount: 4 } }),
    /was given both an existing queue and queueProps/,
  ],
  [
    'an existing queue without a dead-letter queue',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { queue: new sqs.Queue(s, 'Q', { fifo: true }) }),
    /\[Test\/Jobs\/A\] the existing queue Test\/Q has no dead-letter queue.*Fix: give it a deadLetterQueue/,
  ],
  [
    'an existing FIFO queue with a standard dead-letter queue',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { queue: existingQueue(s, 'Q', { fifo: true, deadLetterFifo: false }) }),
    /the existing queue Test\/Q is FIFO but its dead-letter queue is not.*Fix: use a FIFO dead-letter queue/,
  ],
  [
    'an existing queue that dead-letters after one receive',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { queue: existingQueue(s, 'Q', { fifo: true, maxReceiveCount: 1 }) }),
    /moves a message to its dead-letter queue after 1 receives.*Fix: set maxReceiveCount from 2 to 1000/,
  ],
  [
    'an existing queue whose visibility timeout is too short for the consumer',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { consumer: fn(s, 60), queue: existingQueue(s, 'Q', { fifo: true, visibilityTimeout: Duration.minutes(5) }) }),
    /the existing queue Test\/Q has a visibility timeout of 300 seconds, shorter than the 360 seconds its consumer needs/,
  ],
  [
    'an existing queue with the SQS default visibility timeout and a consumer',
    (s) => new FifoFanout(s, 'Jobs').addSubscriber('A', { consumer: fn(s, 30), queue: existingQueue(s, 'Q', { fifo: true }) }),
    /visibility timeout of 30 seconds, shorter than the 180 seconds/,
  ],
];

test.each(invalid)('rejects %s at synth with a message naming the fix', (_name, build, message) => {
  const stack = newStack();
  expect(() => build(stack)).toThrow(message);
  expect(() => build(newStack())).toThrow(/Fix: /);
});

test('the same configurations minus the mistake are accepted', () => {
  const stack = newStack();
  const fanout = new FifoFanout(stack, 'Jobs', { topicName: 'JobEvents.fifo' });
  fanout.addSubscriber('A', { consumer: fn(stack, 60), queueProps: { visibilityTimeout: Duration.minutes(6), maxReceiveCount: 2 } });
  fanout.addSubscriber('B', { queue: existingQueue(stack, 'Fifo', { fifo: true, maxReceiveCount: 2 }) });
  expect(fanout.subscribers).toHaveLength(2);
});
