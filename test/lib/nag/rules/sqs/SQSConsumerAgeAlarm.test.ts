import { CfnParameter, Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SQSConsumerAgeAlarm as rule } from '../../../../../lib/nag/rules/sqs';
import { fn, NagRuleCompliance, stack, twoStacks } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

function consumedQueue(scope: Construct, id: string, consumerScope: Construct = scope): sqs.Queue {
  const queue = new sqs.Queue(scope, id, { visibilityTimeout: Duration.minutes(2) });
  fn(consumerScope, `${id}Consumer`).addEventSource(new sources.SqsEventSource(queue));
  return queue;
}

const ageAlarm = (scope: Construct, id: string, queue: sqs.IQueue) =>
  queue.metricApproximateAgeOfOldestMessage().createAlarm(scope, id, { threshold: 300, evaluationPeriods: 3 });

test('a consumed queue without an age alarm is reported; an alarm on another queue does not count', () => {
  const s = stack();
  const watched = consumedQueue(s, 'Watched');
  consumedQueue(s, 'Unwatched');
  ageAlarm(s, 'Age', watched);
  expect(findings(rule, s)).toEqual(['SPC-SQS7  S/Unwatched/Resource']);
});

test('a metric-math alarm using the metric counts, and so does an alarm in another stack', () => {
  const s = stack();
  const queue = consumedQueue(s, 'Q');
  new cloudwatch.MathExpression({ expression: 'age / 60', usingMetrics: { age: queue.metricApproximateAgeOfOldestMessage() } }).createAlarm(s, 'Math', {
    threshold: 5,
    evaluationPeriods: 1,
  });
  expect(findings(rule, s)).toEqual([]);

  const { app, producer, consumer } = twoStacks();
  ageAlarm(consumer, 'Age', consumedQueue(producer, 'Q', consumer));
  expect(findings(rule, app)).toEqual([]);
});

test('dead-letter queues, unconsumed queues and alarms whose queue is unknowable are not applicable', () => {
  const s = stack();
  const dlq = consumedQueue(s, 'Dlq');
  new sqs.Queue(s, 'Source', { deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
  expect(resultOn(rule, dlq)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  expect(resultOn(rule, new sqs.Queue(s, 'Idle'))).toBe(NagRuleCompliance.NOT_APPLICABLE);

  const t = stack();
  const queue = consumedQueue(t, 'Q');
  const name = new CfnParameter(t, 'QueueName').valueAsString;
  new cloudwatch.Metric({ namespace: 'AWS/SQS', metricName: 'ApproximateAgeOfOldestMessage', dimensionsMap: { QueueName: name } }).createAlarm(t, 'Age', {
    threshold: 300,
    evaluationPeriods: 1,
  });
  expect(resultOn(rule, queue)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});

test('an L1 alarm naming the queue by its literal name counts', () => {
  const s = stack();
  const queue = new sqs.CfnQueue(s, 'Q', { queueName: 'orders' });
  new lambda.CfnEventSourceMapping(s, 'Esm', { functionName: fn(s, 'Fn').functionName, eventSourceArn: queue.attrArn });
  new cloudwatch.CfnAlarm(s, 'Age', {
    namespace: 'AWS/SQS',
    metricName: 'ApproximateAgeOfOldestMessage',
    dimensions: [{ name: 'QueueName', value: 'orders' }],
    comparisonOperator: 'GreaterThanThreshold',
    threshold: 300,
    evaluationPeriods: 1,
    statistic: 'Maximum',
    period: 60,
  });
  expect(resultOn(rule, queue)).toBe(NagRuleCompliance.COMPLIANT);
});

test('an alarm on a SEARCH expression might cover the queue: not applicable rather than a guess', () => {
  const s = stack();
  const queue = consumedQueue(s, 'Q');
  new cloudwatch.Alarm(s, 'AllQueues', {
    metric: new cloudwatch.MathExpression({ expression: "MAX(SEARCH('{AWS/SQS,QueueName} ApproximateAgeOfOldestMessage', 'Maximum', 60))", usingMetrics: {} }),
    threshold: 300,
    evaluationPeriods: 1,
  });
  expect(resultOn(rule, queue)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
