import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SQSDeadLetterQueueAlarm as rule } from '../../../../../lib/nag/rules/sqs';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

const AT_LEAST = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
const depthAlarm = (scope: Construct, id: string, queue: sqs.IQueue, threshold: number, op = AT_LEAST) =>
  queue.metricApproximateNumberOfMessagesVisible().createAlarm(scope, id, { threshold, evaluationPeriods: 1, comparisonOperator: op });

test('every kind of dead-letter queue without an alarm is reported: redrive, subscription, rule target, on-failure destination', () => {
  const s = stack();
  new sqs.Queue(s, 'Source', { deadLetterQueue: { queue: new sqs.Queue(s, 'RedriveDlq'), maxReceiveCount: 3 } });
  new sns.Topic(s, 'T').addSubscription(new subscriptions.SqsSubscription(new sqs.Queue(s, 'Q'), { deadLetterQueue: new sqs.Queue(s, 'SubscriptionDlq') }));
  new events.Rule(s, 'R', { eventPattern: { source: ['a'] } }).addTarget(new targets.LambdaFunction(fn(s, 'Target'), { deadLetterQueue: new sqs.Queue(s, 'RuleDlq') }));
  fn(s, 'Async', { onFailure: new destinations.SqsDestination(new sqs.Queue(s, 'OnFailure')) });
  expect(findings(rule, s)).toEqual([
    'SPC-SQS8  S/OnFailure/Resource',
    'SPC-SQS8  S/RedriveDlq/Resource',
    'SPC-SQS8  S/RuleDlq/Resource',
    'SPC-SQS8  S/SubscriptionDlq/Resource',
  ]);
});

test('the alarm must fire on the first message: >= 1 and > 0 do, >= 10 does not', () => {
  const s = stack();
  const dlqs = ['AtLeastOne', 'AboveZero', 'AtLeastTen'].map((id) => {
    const dlq = new sqs.Queue(s, id);
    new sqs.Queue(s, `${id}Source`, { deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
    return dlq;
  });
  depthAlarm(s, 'A1', dlqs[0], 1);
  depthAlarm(s, 'A2', dlqs[1], 0, cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD);
  depthAlarm(s, 'A3', dlqs[2], 10);
  expect(findings(rule, s)).toEqual(['SPC-SQS8  S/AtLeastTen/Resource']);
});

test('a queue that receives no failures is not applicable', () => {
  expect(resultOn(rule, new sqs.Queue(stack(), 'Plain'))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});

test('NumberOfMessagesSent counts for an on-failure queue, not for a redrive target (moved messages are not "sent")', () => {
  const s = stack();
  const onFailure = new sqs.Queue(s, 'OnFailure');
  fn(s, 'Async', { onFailure: new destinations.SqsDestination(onFailure) });
  const redrive = new sqs.Queue(s, 'Redrive');
  new sqs.Queue(s, 'Source', { deadLetterQueue: { queue: redrive, maxReceiveCount: 3 } });
  for (const [id, queue] of [['A', onFailure], ['B', redrive]] as const) {
    queue.metricNumberOfMessagesSent().createAlarm(s, id, { threshold: 1, evaluationPeriods: 1, comparisonOperator: AT_LEAST });
  }
  expect(findings(rule, s)).toEqual(['SPC-SQS8  S/Redrive/Resource']);
});
