import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { BufferedEventConsumer, BufferedEventInput, IdempotencyTable, PatternFunction } from '../../../lib';
import { FIFO_INGEST_BATCH_SIZE } from '../../../lib/buffered-consumer/private/fifo-ingest';
import { existingQueue, INLINE_CODE, newStack, onlyResource, template } from '../../support/cdk';

const PATTERN = { source: ['com.example.orders'], detailType: ['OrderPlaced'] };
const consumerProps = { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(10) };

describe('BufferedEventConsumer defaults', () => {
  const stack = newStack();
  const c = new BufferedEventConsumer(stack, 'Orders', { eventPattern: PATTERN, consumerProps });
  const t = template(stack);

  test('rule on the default bus with the pattern, whole event, max retries and event age, target DLQ', () => {
    const rule = onlyResource(t, 'AWS::Events::Rule', { EventPattern: Match.anyValue() });
    expect(rule.Properties.EventBusName).toBeUndefined();
    expect(rule.Properties.EventPattern).toEqual({ 'source': ['com.example.orders'], 'detail-type': ['OrderPlaced'] });
    expect(rule.Properties.Targets).toEqual([
      {
        Arn: { 'Fn::GetAtt': [expect.stringMatching(/^OrdersBufferQueue/), 'Arn'] },
        Id: 'Target0',
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^OrdersTargetDeadLetterQueue/), 'Arn'] } },
        RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 },
      },
    ]);
  });

  test('only this rule may send to the buffer and the target DLQ', () => {
    const allows = Object.values(t.findResources('AWS::SQS::QueuePolicy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => s.Effect === 'Allow');
    expect(allows).toHaveLength(2);
    for (const s of allows) {
      expect(s.Principal).toEqual({ Service: 'events.amazonaws.com' });
      expect(s.Condition).toEqual({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^OrdersRule/), 'Arn'] } } });
    }
  });

  test('standard buffer queue: visibility 6 × 10 s, DLQ after 3 receives; standard 14-day target DLQ', () => {
    t.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: 60,
      FifoQueue: Match.absent(),
      RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }),
    });
    expect(c.targetDeadLetterQueue.fifo).toBe(false);
    expect(c.deadLetterQueue).toBeDefined();
    t.resourceCountIs('AWS::SQS::Queue', 3);
  });

  test('consumer created with library defaults, partial batch responses, event input env', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Environment: { Variables: { BUFFERED_EVENT_INPUT: 'WHOLE_EVENT' } },
    });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: Match.absent(),
    });
    expect(c.consumer).toBeInstanceOf(PatternFunction);
  });

  test('alarms: buffer DLQ, target DLQ, oldest message, rule failed invocations, events lost to the DLQ, consumer errors', () => {
    expect(c.alarms).toHaveLength(6);
    for (const metricName of ['FailedInvocations', 'InvocationsFailedToBeSentToDlq']) {
      // Default bus: EventBridge publishes rule metrics with the RuleName dimension only.
      t.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/Events',
        MetricName: metricName,
        Dimensions: [{ Name: 'RuleName', Value: { Ref: Match.stringLikeRegexp('^OrdersRule') } }],
        Threshold: 1,
      });
    }
    const dlqAlarms = (Object.values(t.findResources('AWS::CloudWatch::Alarm')) as any[]).filter(
      (a) => a.Properties.MetricName === 'ApproximateNumberOfMessagesVisible',
    );
    expect(dlqAlarms).toHaveLength(2);
  });
});

describe('rule metrics on a custom bus', () => {
  test.each([
    ['an existing bus', (s: Stack) => ({ eventBus: new events.EventBus(s, 'Bus') })],
    ['a bus the construct creates', (_s: Stack) => ({ eventBusProps: { eventBusName: 'orders' } })],
  ])('%s: alarms use the EventBusName and RuleName dimensions', (_name, busProps) => {
    const stack = newStack();
    const c = new BufferedEventConsumer(stack, 'Orders', { eventPattern: PATTERN, consumerProps, ...busProps(stack) });
    const alarm = onlyResource(template(stack), 'AWS::CloudWatch::Alarm', { MetricName: 'FailedInvocations' });
    expect(alarm.Properties.Dimensions.map((d: { Name: string }) => d.Name)).toEqual(['EventBusName', 'RuleName']);
    expect(c.eventBus.node.path).not.toContain('DefaultBus');
    onlyResource(template(stack), 'AWS::Events::Rule', { EventBusName: Match.anyValue() });
  });

  test('the default bus named explicitly keeps the RuleName dimension only', () => {
    const stack = newStack();
    const eventBus = events.EventBus.fromEventBusName(stack, 'Default', 'default');
    new BufferedEventConsumer(stack, 'Orders', { eventPattern: PATTERN, consumerProps, eventBus });
    const alarm = onlyResource(template(stack), 'AWS::CloudWatch::Alarm', { MetricName: 'FailedInvocations' });
    expect(alarm.Properties.Dimensions.map((d: { Name: string }) => d.Name)).toEqual(['RuleName']);
  });
});

describe('BufferedEventConsumer options', () => {
  test('FIFO buffer: the rule sends to a standard ingest queue and a pipe sets each event\'s group and dedup id', () => {
    const stack = newStack();
    const c = new BufferedEventConsumer(stack, 'Orders', {
      eventPattern: PATTERN,
      consumerProps,
      fifo: true,
      messageGroupIdPath: '$.detail.orderId',
    });
    const t = template(stack);
    const buffer = onlyResource(t, 'AWS::SQS::Queue', { FifoQueue: true, VisibilityTimeout: 60 });
    expect(buffer.Properties.ContentBasedDeduplication).toBe(false);
    expect(c.queue.fifo).toBe(true);
    expect(c.targetDeadLetterQueue.fifo).toBe(false);
    const ingest = { queue: c.ingestQueue! };
    expect(ingest.queue.fifo).toBe(false);
    // The rule targets the ingest queue, with no fixed message group.
    const rule = onlyResource(t, 'AWS::Events::Rule', { EventPattern: Match.anyValue() });
    expect(rule.Properties.Targets).toHaveLength(1);
    expect(rule.Properties.Targets[0].Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OrdersFifoIngestQueue/), 'Arn'] });
    expect(rule.Properties.Targets[0].SqsParameters).toBeUndefined();
    const pipe = onlyResource(t, 'AWS::Pipes::Pipe');
    expect(pipe.Properties.Source).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OrdersFifoIngestQueue/), 'Arn'] });
    expect(pipe.Properties.Target).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OrdersBuffer/), 'Arn'] });
    expect(pipe.Properties.TargetParameters).toEqual({
      // Wrapped in a JSON object: a lone <$.body> would lose its inner quotes (Pipes guide, implicit body parsing).
      InputTemplate: '{"body": <$.body>}',
      SqsQueueParameters: { MessageGroupId: '$.body.detail.orderId', MessageDeduplicationId: '$.body.id' },
    });
    expect(pipe.Properties.SourceParameters.SqsQueueParameters.BatchSize).toBe(FIFO_INGEST_BATCH_SIZE);
    expect(pipe.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^OrdersFifoIngestRoleDefaultPolicy/)]));
    // The pipe role may only read the ingest queue and send to the buffer, and only this account's pipes assume it.
    const role = onlyResource(t, 'AWS::IAM::Role', { AssumeRolePolicyDocument: Match.objectLike({ Statement: [Match.objectLike({ Principal: { Service: 'pipes.amazonaws.com' } })] }) });
    expect(role.Properties.AssumeRolePolicyDocument.Statement[0].Condition).toEqual({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } });
    const policy = onlyResource(t, 'AWS::IAM::Policy', { Roles: [{ Ref: Match.stringLikeRegexp('^OrdersFifoIngestRole') }] });
    const statements = policy.Properties.PolicyDocument.Statement.map((st: any) => [st.Action, st.Resource]);
    expect(statements).toEqual([
      [expect.arrayContaining(['sqs:ReceiveMessage', 'sqs:DeleteMessage']), { 'Fn::GetAtt': [expect.stringMatching(/^OrdersFifoIngestQueue/), 'Arn'] }],
      [expect.arrayContaining(['sqs:SendMessage']), { 'Fn::GetAtt': [expect.stringMatching(/^OrdersBuffer/), 'Arn'] }],
    ]);
    // Messages the pipe cannot deliver end in the ingest DLQ, which is alarmed, like the ingest queue's age.
    expect(c.alarms.map((a) => a.node.id)).toEqual(expect.arrayContaining(['IngestDeadLetterQueueAlarm', 'IngestOldestMessageAlarm']));
  });

  test('FIFO with detail input: the group path is taken inside the detail, dedup by ingest message id', () => {
    const stack = newStack();
    new BufferedEventConsumer(stack, 'Orders', {
      eventPattern: PATTERN,
      consumerProps,
      fifo: true,
      input: BufferedEventInput.DETAIL,
      messageGroupIdPath: '$.detail.customer.id',
    });
    const pipe = onlyResource(template(stack), 'AWS::Pipes::Pipe');
    expect(pipe.Properties.TargetParameters.SqsQueueParameters).toEqual({ MessageGroupId: '$.body.customer.id', MessageDeduplicationId: '$.messageId' });
  });

  test('detail input, custom bus, retries, flow control, batching window, user consumer, idempotency', () => {
    const stack = newStack();
    const bus = new events.EventBus(stack, 'Bus');
    const fn = new PatternFunction(stack, 'Fn', { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(20) });
    const table = new IdempotencyTable(stack, 'Idem');
    new BufferedEventConsumer(stack, 'Orders', {
      eventBus: bus,
      eventPattern: PATTERN,
      consumer: fn,
      input: BufferedEventInput.DETAIL,
      retryAttempts: 10,
      maxEventAge: Duration.hours(2),
      batchSize: 50,
      maxBatchingWindow: Duration.seconds(30),
      maxConcurrency: 2,
      idempotencyTable: table,
    });
    const t = template(stack);
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^Bus') },
      Targets: [Match.objectLike({ InputPath: '$.detail', RetryPolicy: { MaximumEventAgeInSeconds: 7200, MaximumRetryAttempts: 10 } })],
    });
    // 6 × 20 s + 30 s window.
    t.hasResourceProperties('AWS::SQS::Queue', { VisibilityTimeout: 150 });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 50,
      MaximumBatchingWindowInSeconds: 30,
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { BUFFERED_EVENT_INPUT: 'DETAIL', IDEMPOTENCY_TABLE_NAME: { Ref: Match.stringLikeRegexp('^IdemTable') } } },
    });
  });

  test('an existing queue is used; the rule is allowed to send to it; its DLQ is exposed and alarmed', () => {
    const stack = newStack();
    const queue = existingQueue(stack, 'Existing', { visibilityTimeout: Duration.minutes(3) });
    const c = new BufferedEventConsumer(stack, 'Orders', { eventPattern: PATTERN, consumerProps, queue });
    expect(c.queue).toBe(queue);
    expect(c.deadLetterQueue).toBe(queue.deadLetterQueue!.queue);
    expect(c.alarms.map((a) => a.node.id)).toContain('DeadLetterQueueAlarm');
    expect(c.alarms).toHaveLength(6);
    const policy = onlyResource(template(stack), 'AWS::SQS::QueuePolicy', { Queues: [{ Ref: Match.stringLikeRegexp('^Existing') }] });
    expect(policy.Properties.PolicyDocument.Statement[0].Condition).toEqual({ ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [expect.stringMatching(/^OrdersRule/), 'Arn'] } } });
  });
});

describe('IdempotencyTable', () => {
  const stack = newStack();
  const table = new IdempotencyTable(stack, 'Idem');
  const fn = new PatternFunction(stack, 'Fn', { code: INLINE_CODE, handler: 'index.handler' });
  table.grantIdempotency(fn);
  const imported = lambda.Function.fromFunctionAttributes(stack, 'Imported', {
    functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:other',
    role: new iam.Role(stack, 'OtherRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    }),
  });
  table.grantIdempotency(imported);
  const t = Template.fromStack(stack as Stack);

  test('pk id (S), TTL expiration, on-demand, PITR, destroyed with the stack', () => {
    t.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
    expect(table.table.node.metadata.map((m) => m.type)).toContain('cdk-serverless-patterns:idempotency-table');
  });

  test('grant is exactly Get/Put/Update/DeleteItem on the table, plus the table name env', () => {
    const ddb = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s.Action).includes('dynamodb'));
    expect(ddb).toHaveLength(2);
    for (const s of ddb) {
      expect(s.Action).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
      expect(s.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^IdemTable/), 'Arn'] });
    }
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { IDEMPOTENCY_TABLE_NAME: { Ref: Match.stringLikeRegexp('^IdemTable') } } },
    });
  });
});

test('an imported consumer cannot be given its environment: one warning per variable it needs', () => {
  const stack = newStack();
  const consumer = lambda.Function.fromFunctionAttributes(stack, 'Imported', {
    functionArn: 'arn:aws:lambda:us-east-1:111111111111:function:orders',
    sameEnvironment: true,
  });
  new BufferedEventConsumer(stack, 'Orders', {
    eventPattern: PATTERN,
    consumer,
    consumerTimeout: Duration.seconds(10),
    input: BufferedEventInput.DETAIL,
    idempotencyTable: new IdempotencyTable(stack, 'Idem'),
  });
  const warnings = stack.node.findAll().flatMap((c) => c.node.metadata).filter((m) => m.type === 'aws:cdk:warning').map((m) => String(m.data));
  expect(warnings).toEqual(expect.arrayContaining([
    expect.stringContaining('consumer Test/Imported is imported, so its environment cannot be set: give it BUFFERED_EVENT_INPUT=DETAIL yourself'),
    expect.stringContaining('function Test/Imported is imported, so its environment cannot be set: give it IDEMPOTENCY_TABLE_NAME'),
  ]));
});

test('a full FIFO ingest batch of the largest EventBridge events fits one SendMessageBatch (1 MiB); one more would not', () => {
  // The largest event a bus takes: an entry of exactly 256 KB (time 14 + source + detail-type + detail).
  const source = 'com.example.orders';
  const detailType = 'OrderPlaced';
  const detailFor = (n: number) => JSON.stringify({ x: 'x'.repeat(n) });
  const detail = detailFor(262_144 - 14 - source.length - detailType.length - detailFor(0).length);
  expect(14 + source.length + detailType.length + Buffer.byteLength(detail)).toBe(262_144);
  // As the rule delivers it to the ingest queue (the whole event), and as the pipe's template wraps it.
  const event = {
    'version': '0',
    'id': '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
    'detail-type': detailType,
    source,
    'account': '111122223333',
    'time': '2024-05-01T12:00:00Z',
    'region': 'ap-southeast-2',
    'resources': [],
    'detail': JSON.parse(detail),
  };
  const wrapped = Buffer.byteLength(`{"body": ${JSON.stringify(event)}}`);
  expect(FIFO_INGEST_BATCH_SIZE * wrapped).toBeLessThanOrEqual(1_048_576);
  expect((FIFO_INGEST_BATCH_SIZE + 1) * wrapped).toBeGreaterThan(1_048_576);
});
