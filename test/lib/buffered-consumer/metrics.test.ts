import { CfnElement, Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BufferedEventConsumer, PatternFunction } from '../../../lib';
import { INLINE_CODE, newStack } from '../../support/cdk';
import { constructAlarm, userAlarmOn, watchedMetric } from '../../support/metrics';

const PATTERN = { source: ['com.example.orders'] };
const consumerProps = { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(10) };

describe('BufferedEventConsumer metrics', () => {
  const stack = newStack();
  const c = new BufferedEventConsumer(stack, 'Orders', { eventPattern: PATTERN, consumerProps });
  const idOf = (q: sqs.IQueue) => stack.getLogicalId(q.node.defaultChild as CfnElement);
  const queueName = (q: sqs.IQueue) => [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(q), 'QueueName'] } }];

  test('buffer age: a user alarm watches the buffer queue, as the construct\'s backlog alarm does', () => {
    const mine = userAlarmOn(stack, 'MyAge', c.metricApproximateAgeOfOldestMessage());
    expect(mine).toEqual({ Namespace: 'AWS/SQS', MetricName: 'ApproximateAgeOfOldestMessage', Dimensions: queueName(c.queue), Statistic: 'Maximum', Period: 60 });
    expect(watchedMetric(stack, constructAlarm(stack, c.alarms, 'ApproximateAgeOfOldestMessage', new RegExp(idOf(c.queue))))).toEqual(mine);
  });

  test('dead-letter depths: the buffer DLQ and the rule target DLQ', () => {
    const dlq = userAlarmOn(stack, 'MyDlq', c.metricDeadLetterQueueDepth()!);
    const target = userAlarmOn(stack, 'MyTargetDlq', c.metricTargetDeadLetterQueueDepth());
    expect(dlq).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: queueName(c.deadLetterQueue!), Statistic: 'Maximum' });
    expect(target).toMatchObject({ MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: queueName(c.targetDeadLetterQueue) });
    expect(watchedMetric(stack, constructAlarm(stack, c.alarms, 'ApproximateNumberOfMessagesVisible', new RegExp(`"${idOf(c.targetDeadLetterQueue)}"`))))
      .toEqual(target);
  });

  test('an imported buffer queue has no known dead-letter queue', () => {
    const s = newStack();
    const consumer = new PatternFunction(s, 'C', consumerProps);
    const queue = sqs.Queue.fromQueueArn(s, 'Q', 'arn:aws:sqs:us-east-1:123456789012:orders');
    const imported = new BufferedEventConsumer(s, 'Orders', { eventPattern: PATTERN, consumer, queue, consumerTimeout: Duration.seconds(10) });
    expect(imported.metricDeadLetterQueueDepth()).toBeUndefined();
  });
});
