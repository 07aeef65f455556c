import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SecureQueue } from '../../../lib';
import { newStack, onlyResource, template } from '../../support/cdk';

describe('SecureQueue defaults', () => {
  const stack = newStack();
  const q = new SecureQueue(stack, 'Work');
  const t = template(stack);

  test('work queue: SSE-SQS, 4-day retention, redrive to its DLQ after 3 receives', () => {
    t.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: Match.stringLikeRegexp('^Test-Work-[0-9A-F]{8}$'),
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 4 * 86400,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeadLetterQueue'), 'Arn'] }, maxReceiveCount: 3 },
    });
    expect(q.maxReceiveCount).toBe(3);
  });

  test('DLQ keeps 14 days and accepts redrive only from its source queue', () => {
    const name = template(stack).findResources('AWS::SQS::Queue', { Properties: { QueueName: Match.anyValue() } });
    const queueName = (Object.values(name)[0] as any).Properties.QueueName;
    t.hasResourceProperties('AWS::SQS::Queue', {
      MessageRetentionPeriod: 14 * 86400,
      SqsManagedSseEnabled: true,
      RedriveAllowPolicy: {
        redrivePermission: 'byQueue',
        sourceQueueArns: [{ 'Fn::Join': ['', Match.arrayWith([`:${queueName}`])] }],
      },
    });
  });

  test('both queues deny non-TLS access', () => {
    const policies = t.findResources('AWS::SQS::QueuePolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const policy of Object.values(policies) as any[]) {
      expect(policy.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      );
    }
  });
});

describe('SecureQueue options', () => {
  test('FIFO: high throughput by default, no content-based dedup, FIFO DLQ, .fifo name', () => {
    const stack = newStack();
    new SecureQueue(stack, 'Orders', { fifo: true });
    const t = template(stack);
    t.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      QueueName: Match.stringLikeRegexp('\\.fifo$'),
      DeduplicationScope: 'messageGroup',
      FifoThroughputLimit: 'perMessageGroupId',
      ContentBasedDeduplication: false,
    });
    t.hasResourceProperties('AWS::SQS::Queue', { FifoQueue: true, MessageRetentionPeriod: 14 * 86400 });
  });

  test('FIFO without high throughput drops the per-group settings', () => {
    const stack = newStack();
    new SecureQueue(stack, 'Orders', { fifo: true, highThroughputFifo: false });
    const queues = Object.values(template(stack).findResources('AWS::SQS::Queue')) as any[];
    for (const q of queues) {
      expect(q.Properties.DeduplicationScope).toBeUndefined();
      expect(q.Properties.FifoThroughputLimit).toBeUndefined();
    }
  });

  test('KMS encryption with a customer key applies to queue and DLQ', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'Key');
    new SecureQueue(stack, 'Q', { encryption: sqs.QueueEncryption.KMS, encryptionKey: key });
    const queues = Object.values(template(stack).findResources('AWS::SQS::Queue')) as any[];
    expect(queues).toHaveLength(2);
    for (const q of queues) expect(q.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Key/), 'Arn'] });
  });

  test('KMS encryption without a key: one new rotated key for the queue and its DLQ', () => {
    const stack = newStack();
    const q = new SecureQueue(stack, 'Q', { encryption: sqs.QueueEncryption.KMS });
    const t = template(stack);
    t.resourceCountIs('AWS::KMS::Key', 1);
    const key = onlyResource(t, 'AWS::KMS::Key');
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const keyId = stack.getLogicalId(q.encryptionKey!.node.defaultChild as kms.CfnKey);
    const queues = Object.values(t.findResources('AWS::SQS::Queue')) as any[];
    expect(queues).toHaveLength(2);
    for (const queue of queues) expect(queue.Properties.KmsMasterKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
  });

  test('explicit name, retention, receive count and visibility timeout are used', () => {
    const stack = newStack();
    new SecureQueue(stack, 'Q', {
      queueName: 'payments',
      retentionPeriod: Duration.days(2),
      deadLetterQueueRetentionPeriod: Duration.days(7),
      maxReceiveCount: 5,
      visibilityTimeout: Duration.seconds(90),
    });
    const t = template(stack);
    t.hasResourceProperties('AWS::SQS::Queue', {
      QueueName: 'payments',
      MessageRetentionPeriod: 2 * 86400,
      VisibilityTimeout: 90,
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 5 }),
    });
    t.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 7 * 86400 });
  });

  test('an existing DLQ is used instead of a new one', () => {
    const stack = newStack();
    const dlq = new sqs.Queue(stack, 'MyDlq');
    const q = new SecureQueue(stack, 'Q', { deadLetterQueue: dlq });
    expect(q.deadLetterQueue).toBe(dlq);
    template(stack).resourceCountIs('AWS::SQS::Queue', 2);
  });

  test('a dead-letter-only queue has no DLQ of its own, keeps 14 days and acknowledges SQS3', () => {
    const stack = newStack();
    const q = new SecureQueue(stack, 'OnFailure', { isDeadLetterQueueOnly: true });
    expect(q.deadLetterQueue).toBeUndefined();
    const t = template(stack);
    t.resourceCountIs('AWS::SQS::Queue', 1);
    t.hasResourceProperties('AWS::SQS::Queue', { MessageRetentionPeriod: 14 * 86400, RedrivePolicy: Match.absent() });
    const acks = q.queue.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules');
    expect(JSON.stringify(acks)).toContain('AwsSolutions-SQS3');
  });
});

describe('SecureQueue validation', () => {
  const cases: [string, (s: ReturnType<typeof newStack>) => void, RegExp][] = [
    ['maxReceiveCount 1', (s) => new SecureQueue(s, 'Q', { maxReceiveCount: 1 }), /maxReceiveCount 1 is not allowed.*Fix: use an integer from 2 to 1000/],
    ['FIFO name without .fifo', (s) => new SecureQueue(s, 'Q', { fifo: true, queueName: 'orders' }), /FIFO queue name "orders" does not end in \.fifo.*rename it to "orders\.fifo"/],
    ['standard name with .fifo', (s) => new SecureQueue(s, 'Q', { queueName: 'orders.fifo' }), /standard queue name "orders\.fifo" ends in \.fifo/],
    ['standard DLQ for a FIFO queue', (s) => new SecureQueue(s, 'Q', { fifo: true, deadLetterQueue: new sqs.Queue(s, 'Dlq') }), /FIFO queue cannot use the standard dead-letter queue Test\/Dlq/],
    ['DLQ retention not longer', (s) => new SecureQueue(s, 'Q', { retentionPeriod: Duration.days(14) }), /dead-letter retention 14 days is not longer than the queue retention 14 days/],
    ['retention above 14 days', (s) => new SecureQueue(s, 'Q', { deadLetterQueueRetentionPeriod: Duration.days(15) }), /exceeds the SQS maximum/],
    ['key without KMS encryption', (s) => new SecureQueue(s, 'Q', { encryptionKey: new kms.Key(s, 'K') }), /encryptionKey was given without encryption/],
    ['FIFO options on a standard queue', (s) => new SecureQueue(s, 'Q', { highThroughputFifo: true }), /only apply to FIFO queues/],
    ['invalid characters in name', (s) => new SecureQueue(s, 'Q', { queueName: 'my queue' }), /queue name "my queue" \(8 characters\) is not valid/],
  ];
  test.each(cases)('rejects %s, naming the construct path', (_name, build, message) => {
    const stack = newStack();
    expect(() => build(stack)).toThrow(message);
    expect(() => build(newStack())).toThrow(/^\[Test\/Q\]/);
  });
});
