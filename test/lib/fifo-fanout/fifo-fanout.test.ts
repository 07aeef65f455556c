import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { FifoFanout, PatternFunction } from '../../../lib';
import { existingQueue, INLINE_CODE, newStack, onlyResource, template } from '../../support/cdk';

const warningsOf = (stack: Stack) => stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:warning');

describe('FifoFanout defaults (one subscriber with a consumer)', () => {
  const stack = newStack();
  const fanout = new FifoFanout(stack, 'Jobs');
  const consumer = new PatternFunction(stack, 'Consumer', { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(20) });
  const sub = fanout.addSubscriber('Analytics', { consumer });
  const t = template(stack);

  test('FIFO topic: message-group throughput scope, no content-based dedup, AWS managed key, TLS only', () => {
    t.hasResourceProperties('AWS::SNS::Topic', {
      FifoTopic: true,
      FifoThroughputScope: 'MessageGroup',
      ContentBasedDeduplication: false,
      KmsMasterKeyId: { 'Fn::Join': ['', Match.arrayWith([':alias/aws/sns'])] },
    });
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  test('subscriber queue: FIFO, high throughput, visibility 6 × 20 s, DLQ after 3 receives', () => {
    t.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      QueueName: Match.stringLikeRegexp('^Test-Jobs-Analytics-Queue-[0-9A-F]{8}\\.fifo$'),
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      VisibilityTimeout: 120,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
    expect(sub.deadLetterQueue?.fifo).toBe(true);
  });

  test('subscription: raw delivery, FIFO redrive DLQ, queue policy scoped to the topic ARN', () => {
    t.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'sqs',
      RawMessageDelivery: true,
      TopicArn: { Ref: Match.stringLikeRegexp('^JobsTopic') },
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('SubscriptionDeadLetterQueue'), 'Arn'] } },
    });
    expect(sub.subscriptionDeadLetterQueue.fifo).toBe(true);
    // The queue policy must exist before SNS starts delivering.
    t.hasResource('AWS::SNS::Subscription', { DependsOn: Match.arrayWith([Match.stringLikeRegexp('^JobsAnalyticsQueuePolicy')]) });
    const snsStatements = Object.values(t.findResources('AWS::SQS::QueuePolicy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => s.Principal?.Service === 'sns.amazonaws.com');
    // One for the subscribed queue, one for the subscription DLQ; both only for this topic.
    expect(snsStatements).toHaveLength(2);
    for (const s of snsStatements) {
      expect(s.Action).toBe('sqs:SendMessage');
      expect(s.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': { Ref: expect.stringMatching(/^JobsTopic/) } } });
    }
  });

  test('consumer: batch 10, partial batch responses, no batching window', () => {
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      MaximumBatchingWindowInSeconds: Match.absent(),
      ScalingConfig: Match.absent(),
    });
  });

  test('alarms: consumer errors, both DLQs depth ≥ 1, oldest message ≥ 5 min', () => {
    expect(fanout.alarms).toHaveLength(4);
    expect(sub.alarms).toHaveLength(4);
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')) as any[];
    const byMetric = (name: string) => alarms.filter((a) => a.Properties.MetricName === name);
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(2);
    expect(byMetric('ApproximateNumberOfMessagesVisible').every((a) => a.Properties.Threshold === 1)).toBe(true);
    expect(byMetric('ApproximateAgeOfOldestMessage')[0].Properties.Threshold).toBe(300);
    expect(byMetric('Errors')).toHaveLength(1);
    expect(alarms.every((a) => a.Properties.AlarmActions === undefined)).toBe(true);
  });
});

describe('FifoFanout options', () => {
  test('topic name, content-based dedup, topic-scoped throughput, customer key', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new FifoFanout(stack, 'Jobs', { topicName: 'JobEvents.fifo', contentBasedDeduplication: true, highThroughput: false, encryptionKey: key });
    template(stack).hasResourceProperties('AWS::SNS::Topic', {
      TopicName: 'JobEvents.fifo',
      ContentBasedDeduplication: true,
      FifoThroughputScope: 'Topic',
      KmsMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Key'), 'Arn'] },
    });
  });

  test.each([
    ['a key the queue creates', (_s: Stack) => ({ queueProps: { encryption: sqs.QueueEncryption.KMS } })],
    ['a given key', (s: Stack) => ({ queueProps: { encryption: sqs.QueueEncryption.KMS, encryptionKey: new kms.Key(s, 'QueueKey') } })],
  ])('KMS-encrypted subscriber queue (%s): the subscription DLQ shares the queue key, which SNS may use', (name, options) => {
    const stack = newStack();
    const sub = new FifoFanout(stack, 'Jobs').addSubscriber('A', options(stack));
    const t = template(stack);
    expect(sub.queue.encryptionMasterKey).toBeDefined();
    expect(sub.subscriptionDeadLetterQueue.encryptionMasterKey).toBe(sub.queue.encryptionMasterKey);
    const keyId = stack.getLogicalId((sub.queue.encryptionMasterKey as kms.Key).node.defaultChild as kms.CfnKey);
    const dlq = onlyResource(t, 'AWS::SQS::Queue', { QueueName: Match.stringLikeRegexp('SubscriptionDeadLetter') });
    expect(dlq.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    const key = t.toJSON().Resources[keyId];
    const snsStatements = key.Properties.KeyPolicy.Statement.filter((st: any) => st.Principal?.Service === 'sns.amazonaws.com');
    expect(snsStatements).toHaveLength(1);
    expect(snsStatements[0].Action).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    // One key for the queue, its dead-letter queue and the subscription dead-letter queue; rotated when created here.
    t.resourceCountIs('AWS::KMS::Key', 1);
    if (name === 'a key the queue creates') expect(key.Properties.EnableKeyRotation).toBe(true);
    for (const q of Object.values(t.findResources('AWS::SQS::Queue')) as any[]) expect(q.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(warningsOf(stack)).toEqual([]);
  });

  test('a queue key imported into the app cannot be given SNS\'s grant: a warning names the statement to add', () => {
    const stack = newStack();
    const key = kms.Key.fromKeyArn(stack, 'Imported', 'arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab');
    const sub = new FifoFanout(stack, 'Jobs').addSubscriber('A', { queueProps: { encryption: sqs.QueueEncryption.KMS, encryptionKey: key } });
    const warnings = JSON.stringify(warningsOf(stack));
    expect(warnings).toContain('cdk-serverless-patterns:ImportedQueueKey');
    expect(warnings).toContain(`queue ${sub.queue.node.path} is encrypted with the imported key ${key.node.path}`);
    expect(warnings).toContain('sns.amazonaws.com');
    expect(warnings).toContain('aws:SourceArn');
  });

  test('attribute filter policy, envelope delivery, flow control, subscriber without consumer', () => {
    const stack = newStack();
    const fanout = new FifoFanout(stack, 'Jobs');
    const consumer = new PatternFunction(stack, 'C', { code: INLINE_CODE, handler: 'index.handler' });
    fanout.addSubscriber('Inventory', {
      consumer,
      batchSize: 5,
      maxConcurrency: 3,
      rawMessageDelivery: false,
      filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['JobCreated', 'JobDeleted'] }) },
    });
    const passive = fanout.addSubscriber('Audit');
    const t = template(stack);
    t.hasResourceProperties('AWS::SNS::Subscription', {
      RawMessageDelivery: false,
      FilterPolicy: { eventType: ['JobCreated', 'JobDeleted'] },
    });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { BatchSize: 5, ScalingConfig: { MaximumConcurrency: 3 } });
    t.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    expect(passive.consumer).toBeUndefined();
    expect(passive.alarms).toHaveLength(3);
    expect(fanout.subscribers.map((s) => s.node.id)).toEqual(['Inventory', 'Audit']);
  });

  test('message-body filter policy', () => {
    const stack = newStack();
    new FifoFanout(stack, 'Jobs').addSubscriber('Senior', {
      filterPolicyWithMessageBody: {
        level: sns.FilterOrPolicy.filter(sns.SubscriptionFilter.stringFilter({ allowlist: ['senior'] })),
      },
    });
    template(stack).hasResourceProperties('AWS::SNS::Subscription', {
      FilterPolicyScope: 'MessageBody',
      FilterPolicy: { level: ['senior'] },
    });
  });

  test('alarm action and max message age apply to every alarm', () => {
    const stack = newStack();
    const ops = new sns.Topic(stack, 'Ops');
    const fanout = new FifoFanout(stack, 'Jobs', { alarmAction: new cloudwatchActions.SnsAction(ops), maxMessageAge: Duration.minutes(1) });
    fanout.addSubscriber('A');
    const alarms = Object.values(template(stack).findResources('AWS::CloudWatch::Alarm')) as any[];
    expect(alarms).toHaveLength(3);
    for (const a of alarms) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Ops/) }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: expect.stringMatching(/^Ops/) }]);
    }
    expect(alarms.find((a) => a.Properties.MetricName === 'ApproximateAgeOfOldestMessage').Properties.Threshold).toBe(60);
  });

  test('queueProps shape the subscriber queue; consumer need is still enforced', () => {
    const stack = newStack();
    const consumer = new PatternFunction(stack, 'C', { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(10) });
    new FifoFanout(stack, 'Jobs').addSubscriber('A', {
      consumer,
      queueProps: { queueName: 'analytics.fifo', maxReceiveCount: 5, visibilityTimeout: Duration.minutes(2) },
    });
    template(stack).hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'analytics.fifo',
      VisibilityTimeout: 120,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
    });
  });

  test('an existing FIFO topic and app-defined queue are used; the queue\'s DLQ is exposed and alarmed', () => {
    const stack = newStack();
    const topic = new sns.Topic(stack, 'Existing', { fifo: true, topicName: 'existing.fifo' });
    const queue = existingQueue(stack, 'Q', { fifo: true });
    const fanout = new FifoFanout(stack, 'Jobs', { topic });
    const sub = fanout.addSubscriber('A', { queue });
    expect(fanout.topic).toBe(topic);
    expect(sub.queue).toBe(queue);
    expect(sub.deadLetterQueue).toBe(queue.deadLetterQueue!.queue);
    const t = Template.fromStack(stack);
    t.resourceCountIs('AWS::SNS::Topic', 1);
    expect(warningsOf(stack)).toEqual([]);
    expect(onlyResource(t, 'AWS::SNS::Subscription').Properties.Endpoint).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Q/), 'Arn'] });
    const dlqAlarm = Object.values(t.findResources('AWS::CloudWatch::Alarm')).find((a) => JSON.stringify(a).includes('QDlq'));
    expect(dlqAlarm?.Properties.MetricName).toBe('ApproximateNumberOfMessagesVisible');
  });

  test('an imported queue cannot be inspected: subscribed with a warning, no queue DLQ alarm', () => {
    const stack = newStack();
    const queue = sqs.Queue.fromQueueArn(stack, 'Imported', 'arn:aws:sqs:us-east-1:111111111111:jobs.fifo');
    const sub = new FifoFanout(stack, 'Jobs').addSubscriber('A', { queue });
    expect(sub.deadLetterQueue).toBeUndefined();
    expect(JSON.stringify(warningsOf(stack))).toContain('queue Test/Imported is imported, so its visibility timeout and dead-letter queue cannot be checked');
    expect(sub.alarms.map((a) => a.node.id)).not.toContain('DeadLetterQueueAlarm');
  });
});
