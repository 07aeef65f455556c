import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SQSConsumedQueueDeadLetter as rule } from '../../../../../lib/nag/rules/sqs';
import { fn, NagRuleCompliance, stack, twoStacks } from '../../support/fixtures';
import { findings, resultOn, severityOf } from '../../support/rule-harness';

test('a queue a Lambda function reads without a dead-letter queue is a warning (SPC-SQS9); with one it is compliant', () => {
  const s = stack();
  const bare = new sqs.Queue(s, 'Bare');
  fn(s, 'ReadsBare').addEventSource(new sources.SqsEventSource(bare));
  const covered = new sqs.Queue(s, 'Covered', { deadLetterQueue: { queue: new sqs.Queue(s, 'Dlq'), maxReceiveCount: 3 } });
  fn(s, 'ReadsCovered').addEventSource(new sources.SqsEventSource(covered));
  expect(findings(rule, s)).toEqual(['SPC-SQS9  S/Bare/Resource']);
  expect(resultOn(rule, covered)).toBe(NagRuleCompliance.COMPLIANT);
  expect(severityOf(rule)).toBe('Warning');
});

test('a queue a pipe reads is a consumed queue too', () => {
  const s = stack();
  const source = new sqs.Queue(s, 'Source');
  const role = new iam.Role(s, 'Role', { assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com') });
  new pipes.CfnPipe(s, 'Pipe', { roleArn: role.roleArn, source: source.queueArn, target: new events.EventBus(s, 'Bus').eventBusArn });
  expect(findings(rule, s)).toEqual(['SPC-SQS9  S/Source/Resource']);
});

test('the consumer may sit in another stack', () => {
  const { app, producer, consumer } = twoStacks();
  new sqs.Queue(producer, 'Orders');
  fn(consumer, 'Reader').addEventSource(new sources.SqsEventSource(producer.node.findChild('Orders') as sqs.Queue));
  expect(findings(rule, app)).toEqual(['SPC-SQS9  Producer/Orders/Resource']);
});

test('a queue nothing in the app reads is not applicable (AwsSolutions-SQS3 covers every queue)', () => {
  const s = stack();
  expect(resultOn(rule, new sqs.Queue(s, 'Unread'))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});

test('a redrive policy the template cannot read is not applicable', () => {
  const s = stack();
  const queue = new sqs.Queue(s, 'Q');
  fn(s, 'Reader').addEventSource(new sources.SqsEventSource(queue));
  (queue.node.defaultChild as sqs.CfnQueue).addPropertyOverride('RedrivePolicy', { 'Fn::If': ['C', {}, {}] });
  expect(resultOn(rule, queue)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
