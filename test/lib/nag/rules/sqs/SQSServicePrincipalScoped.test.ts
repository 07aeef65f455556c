import { Fn } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SQSServicePrincipalScoped as rule } from '../../../../../lib/nag/rules/sqs';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

const allow = (queue: sqs.Queue, principal: iam.IPrincipal, conditions?: Record<string, unknown>) =>
  queue.addToResourcePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], principals: [principal], resources: [queue.queueArn], conditions }));

test('a service principal without a source condition is reported on the queue policy', () => {
  const s = stack();
  allow(new sqs.Queue(s, 'Open', { enforceSSL: true }), new iam.ServicePrincipal('s3.amazonaws.com'));
  allow(new sqs.Queue(s, 'ByAccount'), new iam.ServicePrincipal('s3.amazonaws.com'), { StringEquals: { 'aws:SourceAccount': '111111111111' } });
  allow(new sqs.Queue(s, 'ByOrg'), new iam.ServicePrincipal('events.amazonaws.com'), { StringEquals: { 'aws:SourceOrgID': 'o-abc' } });
  expect(findings(rule, s)).toEqual(['SPC-SQS6  S/Open/Policy/Resource']);
});

test('an aws-cdk-lib SNS subscription (aws:SourceArn), account principals and Deny statements are compliant', () => {
  const s = stack();
  const queue = new sqs.Queue(s, 'Q', { enforceSSL: true });
  new sns.Topic(s, 'T').addSubscription(new subscriptions.SqsSubscription(queue));
  allow(queue, new iam.AccountPrincipal('222222222222'));
  expect(findings(rule, s)).toEqual([]);
});

test('a policy document chosen by a condition is not applicable', () => {
  const s = stack();
  s.templateOptions.description = 'conditional policy';
  const policy = new sqs.CfnQueuePolicy(s, 'Policy', {
    queues: [new sqs.Queue(s, 'Q').queueUrl],
    policyDocument: Fn.conditionIf('UseOpen', { Statement: [] }, { Statement: [] }),
  });
  expect(resultOn(rule, policy)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});

test('an aws-cdk-lib S3 notification to a queue is scoped to its bucket: compliant', () => {
  const s = stack();
  new s3.Bucket(s, 'B').addObjectCreatedNotification(new s3n.SqsDestination(new sqs.Queue(s, 'Q')));
  expect(findings(rule, s)).toEqual([]);
});
