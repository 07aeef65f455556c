import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { OutboxPipeLogLevel, OutboxTarget, PatternFunction, TransactionalOutbox, TransactionalOutboxProps } from '../../../lib';
import { INLINE_CODE, newStack, onlyResource, template } from '../../support/cdk';

const SOURCE = 'com.example.orders';
const withOutbox = (extra: Partial<TransactionalOutboxProps> = {}) => {
  const stack = newStack();
  const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE, ...extra });
  return { stack, outbox, t: template(stack) };
};
const pipeOf = (t: Template) => onlyResource(t, 'AWS::Pipes::Pipe').Properties;
const statementsOf = (t: Template, policyPrefix: RegExp) => Object.entries(t.findResources('AWS::IAM::Policy'))
  .filter(([id]) => policyPrefix.test(id))
  .flatMap(([, p]: [string, any]) => p.Properties.PolicyDocument.Statement);

describe('TransactionalOutbox defaults', () => {
  const { outbox, t } = withOutbox();

  test('a TableV2 with string pk/sk, TTL expiresAt, a NEW_IMAGE stream, on-demand, PITR, retained', () => {
    const table = onlyResource(t, 'AWS::DynamoDB::GlobalTable');
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      BillingMode: 'PAY_PER_REQUEST',
      Replicas: [expect.objectContaining({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
    });
    expect(table.DeletionPolicy).toBe('Retain');
    expect(outbox.tableAttributes).toEqual({ partitionKey: 'pk', sortKey: 'sk', timeToLiveAttribute: 'expiresAt' });
  });

  test('the pipe reads the stream from TRIM_HORIZON, 10 a batch, bisects, retries 10 times for at most an hour, then dead-letters', () => {
    expect(pipeOf(t).SourceParameters.DynamoDBStreamParameters).toEqual({
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 10,
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 3600,
      OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
      DeadLetterConfig: { Arn: { 'Fn::GetAtt': [expect.stringMatching(/^OutboxPipeDeadLetterQueue/), 'Arn'] } },
    });
  });

  test('the filter passes new images (INSERT, MODIFY) of items whose sort key starts with OUTBOX# and nothing else', () => {
    expect(pipeOf(t).SourceParameters.FilterCriteria.Filters.map((f: any) => JSON.parse(f.Pattern))).toEqual([
      { eventName: ['INSERT', 'MODIFY'], dynamodb: { Keys: { sk: { S: [{ prefix: 'OUTBOX#' }] } } } },
    ]);
  });

  test('the enrichment turns rows into events; the default bus gets the envelope as detail, source, detail-type, time and event id', () => {
    const pipe = pipeOf(t);
    expect(pipe.Enrichment).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OutboxEnrichment/), 'Arn'] });
    expect(pipe.Target).toEqual({ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':events:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':event-bus/default']] });
    expect(pipe.TargetParameters).toEqual({
      InputTemplate: '{"metadata":<$.metadata>,"data":<$.data>}',
      EventBridgeEventBusParameters: {
        Source: SOURCE,
        DetailType: '$.dynamodb.NewImage.outboxDetailType.S',
        Time: '$.dynamodb.NewImage.outboxOccurredAt.S',
        Resources: ['$.dynamodb.NewImage.outboxEventId.S'],
      },
    });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Handler: 'index.handler',
      MemorySize: 256,
      Timeout: 30,
      Environment: { Variables: { OUTBOX_EVENT_SOURCE: SOURCE, OUTBOX_MALFORMED_QUEUE_URL: { Ref: Match.stringLikeRegexp('^OutboxMalformedImageQueue') } } },
    });
  });

  test('the enrichment may send to its malformed-image queue and nothing else (besides its logs)', () => {
    const statements = statementsOf(t, /^OutboxEnrichmentServiceRoleDefaultPolicy/);
    const sends = statements.filter((st: any) => [st.Action].flat().includes('sqs:SendMessage'));
    expect(sends).toEqual([expect.objectContaining({ Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OutboxMalformedImageQueue/), 'Arn'] } })]);
    expect(outbox.malformedImageQueue.fifo).toBe(false);
  });

  test('the pipe logs errors to a log group with retention, without event payloads', () => {
    expect(pipeOf(t).LogConfiguration).toEqual({
      Level: 'ERROR',
      CloudwatchLogsLogDestination: { LogGroupArn: { 'Fn::GetAtt': [expect.stringMatching(/^OutboxPipeLogs/), 'Arn'] } },
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('the pipe role is assumable by Pipes of this account only and may do exactly its job', () => {
    const role = Object.entries(t.findResources('AWS::IAM::Role')).find(([id]) => id.startsWith('OutboxPipeRole'))![1] as any;
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'pipes.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    }]);
    const statements = statementsOf(t, /^OutboxPipeRoleDefaultPolicy/);
    const byAction = Object.fromEntries(statements.map((s: any) => [[s.Action].flat().join(','), s.Resource]));
    expect(byAction).toEqual({
      'dynamodb:ListStreams': { 'Fn::GetAtt': [expect.stringMatching(/^OutboxTable/), 'StreamArn'] },
      'dynamodb:DescribeStream,dynamodb:GetRecords,dynamodb:GetShardIterator': { 'Fn::GetAtt': [expect.stringMatching(/^OutboxTable/), 'StreamArn'] },
      'lambda:InvokeFunction': { 'Fn::GetAtt': [expect.stringMatching(/^OutboxEnrichment/), 'Arn'] },
      'events:PutEvents': pipeOf(t).Target,
      'sqs:SendMessage,sqs:GetQueueAttributes,sqs:GetQueueUrl': { 'Fn::GetAtt': [expect.stringMatching(/^OutboxPipeDeadLetterQueue/), 'Arn'] },
      'logs:CreateLogStream,logs:PutLogEvents': { 'Fn::GetAtt': [expect.stringMatching(/^OutboxPipeLogs/), 'Arn'] },
    });
  });

  test('the dead-letter queue is a standard queue with SQS-managed encryption (usable by the pipe role without a key grant)', () => {
    t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 1209600 });
    expect(outbox.deadLetterQueue.fifo).toBe(false);
    expect(outbox.deadLetterQueue.encryptionMasterKey).toBeUndefined();
  });

  test('alarms: pipe execution failures, dead-letter queue depth, enrichment errors, malformed images set aside, pipe state (and its check\'s own failures)', () => {
    // 4 + the pipe state alarm + the state check's on-failure queue, schedule dead-letter queue and FailedInvocations.
    expect(outbox.alarms).toHaveLength(8);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'CdkServerlessPatterns/Pipes', MetricName: 'PipeRunning', TreatMissingData: 'breaching' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'ServerlessPatterns/TransactionalOutbox', MetricName: 'MalformedOutboxImages', Threshold: 1 });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/EventBridge/Pipes',
      MetricName: 'ExecutionFailed',
      Dimensions: [{ Name: 'PipeName', Value: { Ref: Match.stringLikeRegexp('^OutboxPipe') } }],
      Threshold: 1,
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible' });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/Lambda', MetricName: 'Errors' });
  });
});

test('grantWrite gives the four actions TransactWriteItems checks, on the table only, and the writer environment', () => {
  const stack = newStack();
  const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE });
  const fn = new PatternFunction(stack, 'Writer', { code: INLINE_CODE, handler: 'index.handler' });
  outbox.grantWrite(fn);
  const t = template(stack);
  expect(statementsOf(t, /^WriterServiceRoleDefaultPolicy/)).toContainEqual({
    Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
    Effect: 'Allow',
    Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OutboxTable/), 'Arn'] },
  });
  t.hasResourceProperties('AWS::Lambda::Function', {
    Environment: {
      Variables: {
        OUTBOX_TABLE_NAME: { Ref: Match.stringLikeRegexp('^OutboxTable') },
        OUTBOX_PARTITION_KEY: 'pk',
        OUTBOX_SORT_KEY: 'sk',
        OUTBOX_TIME_TO_LIVE_ATTRIBUTE: 'expiresAt',
        OUTBOX_RETENTION_SECONDS: '1209600',
        OUTBOX_EVENT_SOURCE: SOURCE,
        OUTBOX_TARGET: 'EVENT_BUS',
        OUTBOX_BATCH_SIZE: '10',
      },
    },
  });
});

test('grantWrite on an imported function warns that its environment must be set by hand', () => {
  const stack = newStack();
  const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE });
  outbox.grantWrite(lambda.Function.fromFunctionName(stack, 'Imported', 'writer'));
  Annotations.fromStack(stack).hasWarning('/Test/Outbox', Match.stringLikeRegexp('function Test/Imported is imported.*OUTBOX_TABLE_NAME'));
});

describe('FIFO queue target', () => {
  test('a new FIFO queue: group = aggregate id, deduplication = event id, the body is the envelope', () => {
    const { outbox, t } = withOutbox({ target: OutboxTarget.FIFO_QUEUE });
    expect(outbox.queue?.fifo).toBe(true);
    expect(outbox.eventBus).toBeUndefined();
    expect(pipeOf(t).Target).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OutboxQueue/), 'Arn'] });
    expect(pipeOf(t).TargetParameters).toEqual({
      InputTemplate: '{"metadata":<$.metadata>,"data":<$.data>}',
      SqsQueueParameters: {
        MessageGroupId: '$.dynamodb.NewImage.outboxAggregateId.S',
        MessageDeduplicationId: '$.dynamodb.NewImage.outboxEventId.S',
      },
    });
    expect(statementsOf(t, /^OutboxPipeRoleDefaultPolicy/)).toContainEqual(expect.objectContaining({
      Action: ['sqs:SendMessage', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl'],
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^OutboxQueue/), 'Arn'] },
    }));
    expect(outbox.writerEnvironment().OUTBOX_TARGET).toBe('FIFO_QUEUE');
  });

  test('your own FIFO queue', () => {
    const stack = newStack();
    const queue = new sqs.Queue(stack, 'Orders', { fifo: true });
    const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE, target: OutboxTarget.FIFO_QUEUE, queue });
    expect(outbox.queue).toBe(queue);
    expect(pipeOf(template(stack)).Target).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Orders/), 'Arn'] });
  });
});

test('a new bus, or your own bus', () => {
  const created = withOutbox({ eventBusProps: { eventBusName: 'orders' } });
  created.t.hasResourceProperties('AWS::Events::EventBus', { Name: 'orders' });
  expect(pipeOf(created.t).Target).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OutboxBus/), 'Arn'] });

  const stack = newStack();
  const bus = new events.EventBus(stack, 'Orders');
  const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE, eventBus: bus });
  expect(outbox.eventBus).toBe(bus);
});

describe('a table of your own', () => {
  test('a TableV2 with NEW_AND_OLD_IMAGES: keys and TTL read from its definition, the stream read, no table created', () => {
    const stack = newStack();
    const table = new dynamodb.TableV2(stack, 'Orders', {
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'ttl',
      dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES,
    });
    const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE, table });
    const t = template(stack);
    t.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    expect(outbox.tableAttributes).toEqual({ partitionKey: 'PK', sortKey: 'SK', timeToLiveAttribute: 'ttl' });
    expect(JSON.parse(pipeOf(t).SourceParameters.FilterCriteria.Filters[0].Pattern).dynamodb.Keys).toEqual({ SK: { S: [{ prefix: 'OUTBOX#' }] } });
  });

  test('a Table with a partition key only: outbox rows get their own partitions, the filter matches the partition key', () => {
    const stack = newStack();
    const table = new dynamodb.Table(stack, 'Orders', {
      partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
      timeToLiveAttribute: 'ttl',
      stream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE, table });
    expect(outbox.tableAttributes).toEqual({ partitionKey: 'id', sortKey: undefined, timeToLiveAttribute: 'ttl' });
    expect(outbox.writerEnvironment()).not.toHaveProperty('OUTBOX_SORT_KEY');
    expect(JSON.parse(pipeOf(template(stack)).SourceParameters.FilterCriteria.Filters[0].Pattern).dynamodb.Keys).toEqual({ id: { S: [{ prefix: 'OUTBOX#' }] } });
  });

  test('an imported table with its stream ARN and attribute names', () => {
    const stack = newStack();
    const streamArn = 'arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000';
    const table = dynamodb.Table.fromTableAttributes(stack, 'Orders', { tableName: 'orders', tableStreamArn: streamArn });
    new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE, table, tableAttributes: { partitionKey: 'pk', sortKey: 'sk', timeToLiveAttribute: 'ttl' } });
    expect(pipeOf(template(stack)).Source).toBe(streamArn);
  });
});

test('pipe settings are passed through: batch, window, retries, record age, name, trace logs with payloads', () => {
  const { t } = withOutbox({
    batchSize: 5,
    maxBatchingWindow: Duration.seconds(2),
    retryAttempts: 3,
    maxRecordAge: Duration.minutes(10),
    pipeName: 'orders-outbox',
    logLevel: OutboxPipeLogLevel.TRACE,
    logExecutionData: true,
  });
  const pipe = pipeOf(t);
  expect(pipe.Name).toBe('orders-outbox');
  expect(pipe.SourceParameters.DynamoDBStreamParameters).toMatchObject({
    BatchSize: 5, MaximumBatchingWindowInSeconds: 2, MaximumRetryAttempts: 3, MaximumRecordAgeInSeconds: 600,
  });
  expect(pipe.LogConfiguration).toMatchObject({ Level: 'TRACE', IncludeExecutionData: ['ALL'] });
});

test('logging off: no log group, no log configuration, no log grant', () => {
  const { outbox, t } = withOutbox({ logLevel: OutboxPipeLogLevel.OFF });
  expect(outbox.logGroup).toBeUndefined();
  expect(pipeOf(t).LogConfiguration).toBeUndefined();
  expect(statementsOf(t, /^OutboxPipeRoleDefaultPolicy/).map((s: any) => s.Action).flat()).not.toContain('logs:PutLogEvents');
});

test('the alarm action is set on every alarm', () => {
  const stack = newStack();
  const topic = new sns.Topic(stack, 'Ops');
  const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE, alarmAction: new actions.SnsAction(topic) });
  for (const alarm of outbox.alarms as cloudwatch.Alarm[]) {
    expect(stack.resolve((alarm.node.defaultChild as cloudwatch.CfnAlarm).alarmActions)).toEqual([{ Ref: expect.stringMatching(/^Ops/) }]);
  }
});

test('a FIFO target created by the outbox is alarmed on its dead-letter queue and its backlog', () => {
  const stack = newStack();
  const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: 'com.example.orders', target: OutboxTarget.FIFO_QUEUE });
  const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
  const descriptions = Object.values(alarms).map((a: any) => a.Properties.AlarmDescription as string);
  expect(descriptions).toEqual(expect.arrayContaining([
    expect.stringContaining('Outbox target queue dead-letter queue holds messages'),
    expect.stringContaining('Outbox target queue: oldest message older than'),
  ]));
  expect(outbox.alarms.length).toBe(Object.keys(alarms).length);
});
