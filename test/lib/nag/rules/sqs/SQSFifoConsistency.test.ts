import { CfnParameter } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SQSFifoConsistency as rule } from '../../../../../lib/nag/rules/sqs';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

test('a FIFO queue with a standard dead-letter queue (and the reverse) is reported; matching kinds are accepted', () => {
  const s = stack();
  const fifoDlq = new sqs.Queue(s, 'FifoDlq', { fifo: true });
  const standardDlq = new sqs.Queue(s, 'StandardDlq');
  new sqs.Queue(s, 'FifoToStandard', { fifo: true, deadLetterQueue: { queue: standardDlq, maxReceiveCount: 3 } });
  new sqs.Queue(s, 'StandardToFifo', { deadLetterQueue: { queue: fifoDlq, maxReceiveCount: 3 } });
  new sqs.Queue(s, 'FifoToFifo', { fifo: true, deadLetterQueue: { queue: fifoDlq, maxReceiveCount: 3 } });
  new sqs.Queue(s, 'StandardToStandard', { deadLetterQueue: { queue: standardDlq, maxReceiveCount: 3 } });
  expect(findings(rule, s)).toEqual(['SPC-SQS4  S/FifoToStandard/Resource', 'SPC-SQS4  S/StandardToFifo/Resource']);
});

test('a standard topic cannot deliver to a FIFO queue; a FIFO topic may deliver to a standard one', () => {
  const s = stack();
  const standardTopic = new sns.Topic(s, 'Standard');
  const fifoTopic = new sns.Topic(s, 'Fifo', { fifo: true, topicName: 'fifo.fifo' });
  const fifoQueue = new sqs.Queue(s, 'FifoQueue', { fifo: true });
  new sns.CfnSubscription(s, 'StandardToFifo', { topicArn: standardTopic.topicArn, protocol: 'sqs', endpoint: fifoQueue.queueArn });
  fifoTopic.addSubscription(new subscriptions.SqsSubscription(new sqs.Queue(s, 'StandardQueue')));
  fifoTopic.addSubscription(new subscriptions.SqsSubscription(fifoQueue));
  expect(findings(rule, s)).toEqual(['SPC-SQS4  S/StandardToFifo']);
});

test("a subscription's dead-letter queue has its topic's kind, also for a topic imported by ARN", () => {
  const s = stack();
  const importedFifo = sns.Topic.fromTopicArn(s, 'Imported', 'arn:aws:sns:us-east-1:111111111111:events.fifo');
  importedFifo.addSubscription(
    new subscriptions.SqsSubscription(new sqs.Queue(s, 'Q', { fifo: true }), { deadLetterQueue: new sqs.Queue(s, 'StandardDlq') }),
  );
  new sns.Topic(s, 'Standard').addSubscription(
    new subscriptions.SqsSubscription(new sqs.Queue(s, 'Q2'), { deadLetterQueue: new sqs.Queue(s, 'StandardDlq2') }),
  );
  expect(findings(rule, s)).toEqual(['SPC-SQS4  S/Q/SImported8E6EB648/Resource']);
});

test('an inline subscription of a standard topic to a FIFO queue is reported on the topic', () => {
  const s = stack();
  const fifoQueue = new sqs.Queue(s, 'FifoQueue', { fifo: true });
  new sns.CfnTopic(s, 'Topic', { subscription: [{ protocol: 'sqs', endpoint: fifoQueue.queueArn }] });
  expect(findings(rule, s)).toEqual(['SPC-SQS4  S/Topic']);
});

test('a topic only known at deploy time is not applicable', () => {
  const s = stack();
  const arn = new CfnParameter(s, 'TopicArn');
  const sub = new sns.CfnSubscription(s, 'Sub', { topicArn: arn.valueAsString, protocol: 'sqs', endpoint: new sqs.Queue(s, 'Q', { fifo: true }).queueArn });
  expect(resultOn(rule, sub)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
