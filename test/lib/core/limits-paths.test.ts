/**
 * Service limits on every path a value can take into our constructs: props, resources the user defines in the app
 * and passes in (inspected), and values we derive. Each limit: rejected one past the bound, accepted at it.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BufferedEventConsumer, FifoFanout, IdempotencyTable, PatternErrors, PatternFunction, SecureQueue } from '../../../lib';
import { INLINE_CODE, newStack } from '../../support/cdk';

const fnProps = { code: INLINE_CODE, handler: 'index.handler' };

function ids(build: (stack: Stack) => unknown): string[] {
  try {
    build(newStack());
  } catch (err) {
    if (PatternErrors.isPatternValidationError(err)) return PatternErrors.problemsOf(err).map((p) => p.id);
    throw err;
  }
  return [];
}

/** A queue defined in the app, brought into a construct. */
function appQueue(stack: Stack, opts: { name?: string; fifo?: boolean; maxReceiveCount?: number } = {}): sqs.Queue {
  const fifo = opts.fifo || undefined;
  return new sqs.Queue(stack, 'Mine', {
    queueName: opts.name,
    fifo,
    visibilityTimeout: Duration.minutes(10),
    deadLetterQueue: { queue: new sqs.Queue(stack, 'MineDlq', { fifo }), maxReceiveCount: opts.maxReceiveCount ?? 3 },
  });
}

const consumer = (stack: Stack) => new PatternFunction(stack, 'Consumer', fnProps);

describe.each([
  [
    'a brought-in queue whose redrive allows more than 1,000 receives',
    (s: Stack) => new BufferedEventConsumer(s, 'B', { eventPattern: { source: ['x'] }, consumer: consumer(s), queue: appQueue(s, { maxReceiveCount: 1001 }) }),
    (s: Stack) => new BufferedEventConsumer(s, 'B', { eventPattern: { source: ['x'] }, consumer: consumer(s), queue: appQueue(s, { maxReceiveCount: 1000 }) }),
    'ExistingQueue.MaxReceiveCount',
  ],
  [
    'a brought-in queue named over 80 characters',
    (s: Stack) => new BufferedEventConsumer(s, 'B', { eventPattern: { source: ['x'] }, consumer: consumer(s), queue: appQueue(s, { name: 'q'.repeat(81) }) }),
    (s: Stack) => new BufferedEventConsumer(s, 'B', { eventPattern: { source: ['x'] }, consumer: consumer(s), queue: appQueue(s, { name: 'q'.repeat(80) }) }),
    'ExistingQueue.Name',
  ],
  [
    'a brought-in FIFO subscriber queue named over 80 characters with its suffix',
    (s: Stack) => new FifoFanout(s, 'F').addSubscriber('Sub', { queue: appQueue(s, { fifo: true, name: `${'q'.repeat(76)}.fifo` }) }),
    (s: Stack) => new FifoFanout(s, 'F').addSubscriber('Sub', { queue: appQueue(s, { fifo: true, name: `${'q'.repeat(75)}.fifo` }) }),
    'ExistingQueue.Name',
  ],
  [
    'a standard buffer queue name (80 characters is valid)',
    (s: Stack) => new BufferedEventConsumer(s, 'B', { eventPattern: { source: ['x'] }, consumerProps: fnProps, queueProps: { queueName: 'q'.repeat(81) } }),
    (s: Stack) => new BufferedEventConsumer(s, 'B', { eventPattern: { source: ['x'] }, consumerProps: fnProps, queueProps: { queueName: 'q'.repeat(80) } }),
    'SecureQueue.Name',
  ],
  [
    'a brought-in topic named over 256 characters',
    (s: Stack) => new FifoFanout(s, 'F', { topic: new sns.Topic(s, 'T', { fifo: true, topicName: `${'t'.repeat(252)}.fifo` }) }),
    (s: Stack) => new FifoFanout(s, 'F', { topic: new sns.Topic(s, 'T', { fifo: true, topicName: `${'t'.repeat(251)}.fifo` }) }),
    'ExistingTopic.TopicName',
  ],
  [
    'a rule description over 512 characters',
    (s: Stack) => new BufferedEventConsumer(s, 'B', { eventPattern: { source: ['x'] }, consumerProps: fnProps, ruleDescription: 'd'.repeat(513) }),
    (s: Stack) => new BufferedEventConsumer(s, 'B', { eventPattern: { source: ['x'] }, consumerProps: fnProps, ruleDescription: 'd'.repeat(512) }),
    'BufferedEventConsumer.RuleDescription',
  ],
  [
    'an idempotency table name over 255 characters',
    (s: Stack) => new IdempotencyTable(s, 'I', { tableName: 'n'.repeat(256) }),
    (s: Stack) => new IdempotencyTable(s, 'I', { tableName: 'n'.repeat(255) }),
    'IdempotencyTable.TableName',
  ],
  [
    'an idempotency table name under 3 characters',
    (s: Stack) => new IdempotencyTable(s, 'I', { tableName: 'nn' }),
    (s: Stack) => new IdempotencyTable(s, 'I', { tableName: 'nnn' }),
    'IdempotencyTable.TableName',
  ],
  [
    'a consumer with a timeout the queue cannot cover (visibility above 12 hours, derived)',
    (s: Stack) => new FifoFanout(s, 'F').addSubscriber('Sub', { consumer: lambda.Function.fromFunctionName(s, 'I', 'f'), consumerTimeout: Duration.seconds(7201) }),
    (s: Stack) => new FifoFanout(s, 'F').addSubscriber('Sub', { consumer: lambda.Function.fromFunctionName(s, 'I', 'f'), consumerTimeout: Duration.seconds(7200) }),
    'Queue.VisibilityTimeoutAboveMaximum',
  ],
])('%s', (_name, bad, good, id) => {
  test('rejected past the bound, with its id', () => expect(ids(bad)).toEqual([id]));
  test('accepted at the bound', () => expect(ids(good)).toEqual([]));
});

test('SecureQueue: maxReceiveCount is accepted from 2 to 1,000', () => {
  expect(ids((s) => new SecureQueue(s, 'Q', { maxReceiveCount: 1000 }))).toEqual([]);
  expect(ids((s) => new SecureQueue(s, 'Q', { maxReceiveCount: 1001 }))).toEqual(['SecureQueue.MaxReceiveCount']);
});
