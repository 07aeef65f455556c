import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SNSSubscriptionRedrive as rule } from '../../../../../lib/nag/rules/sns';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

test('queue and function subscriptions without a dead-letter queue are reported; with one, compliant', () => {
  const s = stack();
  const topic = new sns.Topic(s, 'T');
  const dlq = new sqs.Queue(s, 'Dlq');
  const bare = new sqs.Queue(s, 'Bare');
  topic.addSubscription(new subscriptions.SqsSubscription(bare));
  topic.addSubscription(new subscriptions.LambdaSubscription(fn(s, 'BareFn')));
  topic.addSubscription(new subscriptions.SqsSubscription(new sqs.Queue(s, 'Covered'), { deadLetterQueue: dlq }));
  topic.addSubscription(new subscriptions.LambdaSubscription(fn(s, 'CoveredFn'), { deadLetterQueue: dlq }));
  const bareSubscription = bare.node.children.find((c) => c instanceof sns.Subscription)!;
  expect(findings(rule, s)).toEqual([`SPC-SNS1  ${bareSubscription.node.path}/Resource`, 'SPC-SNS1  S/BareFn/T/Resource']);
});

test('inline subscriptions (which cannot have one) are reported on the topic; e-mail subscriptions are not applicable', () => {
  const s = stack();
  new sns.CfnTopic(s, 'Inline', { subscription: [{ protocol: 'sqs', endpoint: new sqs.Queue(s, 'Q').queueArn }] });
  expect(findings(rule, s)).toEqual(['SPC-SNS1  S/Inline']);
  const email = new sns.CfnSubscription(s, 'Mail', { topicArn: new sns.Topic(s, 'T').topicArn, protocol: 'email', endpoint: 'ops@example.com' });
  expect(resultOn(rule, email)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
