import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LambdaAsyncFailureHandling as rule } from '../../../../../lib/nag/rules/lambda';
import { fn, NagRuleCompliance, stack, twoStacks } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

test('functions invoked by SNS, EventBridge and S3 without an on-failure destination or DLQ are reported', () => {
  const s = stack();
  new sns.Topic(s, 'T').addSubscription(new subscriptions.LambdaSubscription(fn(s, 'FromSns')));
  new events.Rule(s, 'R', { eventPattern: { source: ['a'] } }).addTarget(
    new targets.LambdaFunction(fn(s, 'FromRule'), { deadLetterQueue: new sqs.Queue(s, 'RuleDlq') }), // delivery failures only
  );
  new s3.Bucket(s, 'B').addObjectCreatedNotification(new s3n.LambdaDestination(fn(s, 'FromS3')));
  expect(findings(rule, s).filter((f) => !f.includes('BucketNotificationsHandler'))).toEqual([
    'SPC-LMB1  S/FromRule/Resource',
    'SPC-LMB1  S/FromS3/Resource',
    'SPC-LMB1  S/FromSns/Resource',
  ]);
});

test('an on-failure destination (on the function or an alias) or a dead-letter queue makes them compliant', () => {
  const s = stack();
  const topic = new sns.Topic(s, 'T');
  topic.addSubscription(new subscriptions.LambdaSubscription(fn(s, 'Destination', { onFailure: new destinations.SqsDestination(new sqs.Queue(s, 'F')) })));
  topic.addSubscription(new subscriptions.LambdaSubscription(fn(s, 'Dlq', { deadLetterQueueEnabled: true })));
  const aliased = fn(s, 'Aliased');
  const alias = new lambda.Alias(s, 'Live', { aliasName: 'live', version: aliased.currentVersion, onFailure: new destinations.SqsDestination(new sqs.Queue(s, 'G')) });
  topic.addSubscription(new subscriptions.LambdaSubscription(alias));
  expect(findings(rule, s)).toEqual([]);
});

test('a subscription from another stack counts; a function nobody invokes asynchronously is not applicable', () => {
  const { app, producer, consumer } = twoStacks();
  new sns.CfnSubscription(consumer, 'Sub', { topicArn: new sns.Topic(producer, 'T').topicArn, protocol: 'lambda', endpoint: fn(producer, 'Fn').functionArn });
  expect(findings(rule, app)).toEqual(['SPC-LMB1  Producer/Fn/Resource']);
  expect(resultOn(rule, fn(stack(), 'Idle'))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
