/** One queue has one consumer, whichever constructs (or hand-written triggers) try to share it. */
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BufferedEventConsumer, FifoFanout, PatternFunction } from '../../../lib';
import { existingQueue, INLINE_CODE, newStack } from '../../support/cdk';

const consumer = (stack: Stack, id: string) =>
  new PatternFunction(stack, id, { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(10) });
const PATTERN = { source: ['com.example.orders'] };
const IMPORTED_ARN = 'arn:aws:sqs:us-east-1:111111111111:jobs.fifo';

test('a FIFO subscriber and a BufferedEventConsumer cannot drain the same queue', () => {
  const stack = newStack();
  const queue = existingQueue(stack, 'Shared', { fifo: true, visibilityTimeout: Duration.minutes(1) });
  new FifoFanout(stack, 'Jobs').addSubscriber('A', { queue, consumer: consumer(stack, 'F1') });
  expect(() => new BufferedEventConsumer(stack, 'Orders', { eventPattern: PATTERN, consumer: consumer(stack, 'F2'), queue, fifo: true, messageGroupIdPath: '$.detail.id' }))
    .toThrow(/\[Test\/Orders\] queue Test\/Shared is already consumed by Test\/Jobs\/A\. Fix: give each consumer its own queue/);
});

test('two subscribers with consumers cannot share a queue', () => {
  const stack = newStack();
  const queue = existingQueue(stack, 'Shared', { fifo: true, visibilityTimeout: Duration.minutes(1) });
  const fanout = new FifoFanout(stack, 'Jobs');
  fanout.addSubscriber('A', { queue, consumer: consumer(stack, 'F1') });
  expect(() => fanout.addSubscriber('B', { queue, consumer: consumer(stack, 'F2') })).toThrow(/queue Test\/Shared is already consumed by Test\/Jobs\/A/);
});

test('the same queue imported twice in one stack is still one queue', () => {
  const stack = newStack();
  const fanout = new FifoFanout(stack, 'Jobs');
  const first = sqs.Queue.fromQueueArn(stack, 'First', IMPORTED_ARN);
  const second = sqs.Queue.fromQueueArn(stack, 'Second', IMPORTED_ARN);
  fanout.addSubscriber('A', { queue: first, consumer: consumer(stack, 'F1') });
  expect(() => fanout.addSubscriber('B', { queue: second, consumer: consumer(stack, 'F2') })).toThrow(/queue Test\/Second is already consumed by Test\/Jobs\/A/);
});

test('the same ARN in two stacks belongs to each stack\'s own consumer', () => {
  const app = new App();
  for (const id of ['One', 'Two']) {
    const stack = new Stack(app, id);
    new FifoFanout(stack, 'Jobs').addSubscriber('A', { queue: sqs.Queue.fromQueueArn(stack, 'Q', IMPORTED_ARN), consumer: consumer(stack, 'F') });
  }
  expect(app.node.findAll().filter((c) => c instanceof lambda.CfnEventSourceMapping)).toHaveLength(2);
});

test('a trigger added by hand to a claimed queue fails synthesis', () => {
  const stack = newStack();
  const orders = new BufferedEventConsumer(stack, 'Orders', { eventPattern: PATTERN, consumerProps: { code: INLINE_CODE, handler: 'index.handler' } });
  consumer(stack, 'Sneaky').addEventSource(new SqsEventSource(orders.queue, { filters: [lambda.FilterCriteria.filter({ body: { type: lambda.FilterRule.isEqual('vip') } })] }));
  expect(() => Template.fromStack(stack)).toThrow(/\[Test\/Orders\] queue Test\/Orders\/Buffer\/Queue has 2 consumers .*Sneaky.*Fix: remove the other triggers/s);
});

test('one consumer per queue synthesizes', () => {
  const stack = newStack();
  new BufferedEventConsumer(stack, 'Orders', { eventPattern: PATTERN, consumerProps: { code: INLINE_CODE, handler: 'index.handler' } });
  expect(() => Template.fromStack(stack)).not.toThrow();
});
