import { CfnElement, Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { FifoFanout, PatternFunction } from '../../../lib';
import { FIFO_FANOUT_ENV } from '../../../lib/fifo-fanout/contract';
import { existingQueue, INLINE_CODE, newStack } from '../../support/cdk';
import { constructAlarm, userAlarmOn, watchedMetric } from '../../support/metrics';

const fnProps = { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(10) };

describe('FifoSubscriber metrics', () => {
  const stack = newStack();
  const fanout = new FifoFanout(stack, 'Jobs');
  const sub = fanout.addSubscriber('Analytics', { consumer: new PatternFunction(stack, 'Consumer', fnProps) });
  const queueId = stack.getLogicalId(sub.queue.node.defaultChild as CfnElement);
  const dlqId = stack.getLogicalId(sub.deadLetterQueue!.node.defaultChild as CfnElement);
  const subDlqId = stack.getLogicalId(sub.subscriptionDeadLetterQueue.node.defaultChild as CfnElement);

  test('queue age: a user alarm watches the subscriber queue, as the construct\'s backlog alarm does', () => {
    const mine = userAlarmOn(stack, 'MyAgeAlarm', sub.metricApproximateAgeOfOldestMessage());
    expect(mine).toEqual({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateAgeOfOldestMessage',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
    });
    expect(watchedMetric(stack, constructAlarm(stack, fanout.alarms, 'ApproximateAgeOfOldestMessage', new RegExp(queueId)))).toEqual(mine);
  });

  test('dead-letter queue depths: the queue DLQ and the subscription DLQ, each its own queue', () => {
    const dlq = userAlarmOn(stack, 'MyDlqAlarm', sub.metricDeadLetterQueueDepth()!);
    const subDlq = userAlarmOn(stack, 'MySubDlqAlarm', sub.metricSubscriptionDeadLetterQueueDepth({ period: Duration.minutes(5) }));
    expect(dlq).toEqual({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }],
      Statistic: 'Maximum',
      Period: 60,
    });
    // Options given to the method win over its defaults.
    expect(subDlq).toMatchObject({ Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [subDlqId, 'QueueName'] } }], Period: 300 });
    expect(watchedMetric(stack, constructAlarm(stack, fanout.alarms, 'ApproximateNumberOfMessagesVisible', new RegExp(`"${dlqId}"`)))).toEqual(dlq);
  });

  test('a queue defined in the app has its dead-letter queue measured; an imported queue\'s is unknown: no metric', () => {
    const s = newStack();
    const appQueue = existingQueue(s, 'Q', { fifo: true });
    expect(s.resolve(new FifoFanout(s, 'F').addSubscriber('A', { queue: appQueue }).metricDeadLetterQueueDepth()!.dimensions))
      .toEqual({ QueueName: { 'Fn::GetAtt': [s.getLogicalId(appQueue.deadLetterQueue!.queue.node.defaultChild as sqs.CfnQueue), 'QueueName'] } });
    const imported = sqs.Queue.fromQueueArn(s, 'Imported', 'arn:aws:sqs:us-east-1:123456789012:imported.fifo');
    expect(new FifoFanout(s, 'G').addSubscriber('A', { queue: imported }).metricDeadLetterQueueDepth()).toBeUndefined();
  });
});

describe('FifoFanout.grantPublish', () => {
  test('a function may publish to the topic and learns its ARN from the variable the publisher reads', () => {
    const stack = newStack();
    const fanout = new FifoFanout(stack, 'Jobs');
    const publisher = new PatternFunction(stack, 'Publisher', fnProps);
    const grant = fanout.grantPublish(publisher);
    expect(grant.success).toBe(true);
    const t = Template.fromStack(stack);
    const topicId = stack.getLogicalId(fanout.topic.node.defaultChild as CfnElement);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { [FIFO_FANOUT_ENV.TOPIC_ARN]: { Ref: topicId } } },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'sns:Publish', Effect: 'Allow', Resource: { Ref: topicId } })]) },
      Roles: [{ Ref: stack.getLogicalId(publisher.role!.node.defaultChild as CfnElement) }],
    });
  });

  test('a role is granted without any environment; a customer managed key is granted too', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    const fanout = new FifoFanout(stack, 'Jobs', { encryptionKey: key });
    const role = new iam.Role(stack, 'Publisher', { assumedBy: new iam.AccountRootPrincipal() });
    expect(fanout.grantPublish(role).success).toBe(true);
    const policyId = stack.getLogicalId(role.node.findChild('DefaultPolicy').node.defaultChild as CfnElement);
    const statements = Template.fromStack(stack).toJSON().Resources[policyId].Properties.PolicyDocument.Statement;
    expect(statements.map((s: any) => s.Action)).toEqual(expect.arrayContaining(['sns:Publish', expect.arrayContaining(['kms:GenerateDataKey*'])]));
  });

  test('a function granted by two fanouts keeps the first topic, with a warning naming both', () => {
    const stack = newStack();
    const first = new FifoFanout(stack, 'Jobs');
    const second = new FifoFanout(stack, 'Orders');
    const publisher = new PatternFunction(stack, 'Publisher', fnProps);
    first.grantPublish(publisher);
    first.grantPublish(publisher); // the same fanout again: nothing to warn about
    second.grantPublish(publisher);
    const firstTopic = { Ref: stack.getLogicalId(first.topic.node.defaultChild as CfnElement) };
    const environment = (publisher.node.defaultChild as lambda.CfnFunction).environment;
    expect(stack.resolve(environment)).toEqual({ variables: { [FIFO_FANOUT_ENV.TOPIC_ARN]: firstTopic } });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('PublisherOfTwoTopics'));
    expect(warnings).toHaveLength(1);
    expect(JSON.stringify(warnings[0].entry.data)).toMatch(/Test\/Jobs and Test\/Orders/);
  });
});
