import * as iam from 'aws-cdk-lib/aws-iam';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LambdaRecursiveTrigger as rule } from '../../../../../lib/nag/rules/lambda';
import { fn, NagRuleCompliance, stack, twoStacks } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

test('a function allowed to send to its own trigger queue, or publish to its own topic, is reported', () => {
  const s = stack();
  const queue = new sqs.Queue(s, 'Q');
  const requeuer = fn(s, 'Requeuer');
  requeuer.addEventSource(new sources.SqsEventSource(queue));
  queue.grantSendMessages(requeuer);
  const topic = new sns.Topic(s, 'T');
  const republisher = fn(s, 'Republisher');
  topic.addSubscription(new subscriptions.LambdaSubscription(republisher));
  topic.grantPublish(republisher);
  expect(findings(rule, s)).toEqual(['SPC-LMB3  S/Republisher/Resource', 'SPC-LMB3  S/Requeuer/Resource']);
});

test('sending to another queue, or a wildcard grant, is not reported', () => {
  const s = stack();
  const consumer = fn(s, 'Consumer');
  consumer.addEventSource(new sources.SqsEventSource(new sqs.Queue(s, 'In')));
  new sqs.Queue(s, 'Out').grantSendMessages(consumer);
  consumer.addToRolePolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] }));
  expect(findings(rule, s)).toEqual([]);
});

test('the trigger queue may live in another stack; a function without triggers is not applicable', () => {
  const { app, producer, consumer } = twoStacks();
  const queue = new sqs.Queue(producer, 'Q');
  const f = fn(consumer, 'Fn');
  f.addEventSource(new sources.SqsEventSource(queue));
  queue.grantSendMessages(f);
  expect(findings(rule, app)).toEqual(['SPC-LMB3  Consumer/Fn/Resource']);
  expect(resultOn(rule, fn(stack(), 'Idle'))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
