import { CfnParameter } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SQSDeadLetterQueuePolicyScopedToSource as rule } from '../../../../../lib/nag/rules/sqs';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

/** A subscription dead-letter queue: aws-cdk-lib lets SNS send to it only for this topic (aws:SourceArn). */
function subscriptionDlq(scope: Construct, topic = new sns.Topic(scope, 'Topic')) {
  const dlq = new sqs.Queue(scope, 'Dlq');
  topic.addSubscription(new subscriptions.SqsSubscription(new sqs.Queue(scope, 'Q'), { deadLetterQueue: dlq }));
  return dlq;
}

const sendFrom = (principal: iam.IPrincipal, conditions?: Record<string, unknown>) =>
  new iam.PolicyStatement({ actions: ['sqs:SendMessage'], principals: [principal], resources: ['*'], conditions });

test('aws-cdk-lib dead-letter queue policies of subscriptions and rule targets name their source: compliant', () => {
  const s = stack();
  subscriptionDlq(s);
  new events.Rule(s, 'Rule', { eventPattern: { source: ['a'] } }).addTarget(
    new targets.LambdaFunction(fn(s, 'Fn'), { deadLetterQueue: new sqs.Queue(s, 'RuleDlq') }),
  );
  expect(findings(rule, s)).toEqual([]);
});

test('a grant scoped to another topic of the app, to an account only, or to anyone is reported on the policy', () => {
  const s = stack();
  const dlq = subscriptionDlq(s);
  dlq.addToResourcePolicy(sendFrom(new iam.ServicePrincipal('sns.amazonaws.com'), { ArnEquals: { 'aws:SourceArn': new sns.Topic(s, 'Other').topicArn } }));
  expect(findings(rule, s)).toEqual(['SPC-SQS5  S/Dlq/Policy/Resource']);

  const accountOnly = stack();
  subscriptionDlq(accountOnly).addToResourcePolicy(
    sendFrom(new iam.ServicePrincipal('events.amazonaws.com'), { StringEquals: { 'aws:SourceAccount': '111111111111' } }),
  );
  expect(findings(rule, accountOnly)).toEqual(['SPC-SQS5  S/Dlq/Policy/Resource']);

  const anyone = stack();
  subscriptionDlq(anyone).addToResourcePolicy(sendFrom(new iam.AnyPrincipal()));
  expect(findings(rule, anyone)).toEqual(['SPC-SQS5  S/Dlq/Policy/Resource']);
});

test('a literal source ARN (a source outside the app) is accepted; a wildcard one is reported', () => {
  const exact = stack();
  subscriptionDlq(exact).addToResourcePolicy(
    sendFrom(new iam.ServicePrincipal('sns.amazonaws.com'), { ArnEquals: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111111111111:t' } }),
  );
  expect(findings(rule, exact)).toEqual([]);

  const wildcard = stack();
  subscriptionDlq(wildcard).addToResourcePolicy(
    sendFrom(new iam.ServicePrincipal('sns.amazonaws.com'), { ArnLike: { 'aws:SourceArn': 'arn:aws:sns:us-east-1:111111111111:*' } }),
  );
  expect(findings(rule, wildcard)).toEqual(['SPC-SQS5  S/Dlq/Policy/Resource']);
});

test('a source ARN only known at deploy time is not applicable; a queue nobody dead-letters into is not applicable', () => {
  const s = stack();
  const dlq = subscriptionDlq(s);
  dlq.addToResourcePolicy(
    sendFrom(new iam.ServicePrincipal('sns.amazonaws.com'), { ArnEquals: { 'aws:SourceArn': new CfnParameter(s, 'Arn').valueAsString } }),
  );
  expect(resultOn(rule, dlq.node.findChild('Policy'))).toBe(NagRuleCompliance.NOT_APPLICABLE);

  const plain = new sqs.Queue(s, 'Plain');
  plain.addToResourcePolicy(sendFrom(new iam.AnyPrincipal()));
  expect(resultOn(rule, plain.node.findChild('Policy'))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
