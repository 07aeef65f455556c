import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { OutboxStartingPosition, OutboxTarget, PatternErrors, TransactionalOutbox, TransactionalOutboxProps } from '../../../lib';
import { newStack } from '../../support/cdk';

const SOURCE = 'com.example.orders';
const build = (stack: Stack, extra: Partial<TransactionalOutboxProps> = {}) =>
  new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE, ...extra });

/** The ids of the problems `make` is rejected with; [] when it is accepted. */
function problemIds(make: (s: Stack) => unknown): string[] {
  try {
    make(newStack());
    return [];
  } catch (err) {
    if (PatternErrors.isPatternValidationError(err)) return PatternErrors.problemsOf(err).map((p) => p.id);
    throw err;
  }
}

const fifoQueue = (s: Stack) => new sqs.Queue(s, 'Fifo', { fifo: true });
const v2 = (s: Stack, props: Partial<dynamodb.TablePropsV2> = {}) => new dynamodb.TableV2(s, 'Orders', {
  partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
  sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
  timeToLiveAttribute: 'ttl',
  dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
  ...props,
});
const imported = (s: Stack, streamArn?: string) => dynamodb.Table.fromTableAttributes(s, 'Imported', {
  tableName: 'orders',
  tableStreamArn: streamArn,
});
const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:111111111111:table/orders/stream/2024-01-01T00:00:00.000';

type PropsFor = Partial<TransactionalOutboxProps> | ((s: Stack) => Partial<TransactionalOutboxProps>);
// [problem id, a configuration rejected with it, the nearest configuration accepted]
const boundaries: [string, PropsFor, PropsFor][] = [
  ['TransactionalOutbox.EventSourceLength', { eventSource: 'x'.repeat(257) }, { eventSource: 'x'.repeat(256) }],
  ['TransactionalOutbox.EventSourceLength', { eventSource: '' }, { eventSource: 'x' }],
  ['TransactionalOutbox.TableName', { tableName: 'ab' }, { tableName: 'abc' }],
  ['TransactionalOutbox.TableName', { tableName: 'orders table' }, { tableName: 'orders_table-1.v2' }],
  ['TransactionalOutbox.EventSourceReserved', { eventSource: 'aws.orders' }, { eventSource: 'awsx.orders' }],
  ['TransactionalOutbox.BusWithQueueTarget', (s) => ({ target: OutboxTarget.FIFO_QUEUE, eventBus: new events.EventBus(s, 'B') }), { target: OutboxTarget.FIFO_QUEUE }],
  ['TransactionalOutbox.QueueAndQueueProps', (s) => ({ target: OutboxTarget.FIFO_QUEUE, queue: fifoQueue(s), queueProps: {} }), (s) => ({ target: OutboxTarget.FIFO_QUEUE, queue: fifoQueue(s) })],
  ['TransactionalOutbox.QueueNotFifo', (s) => ({ target: OutboxTarget.FIFO_QUEUE, queue: new sqs.Queue(s, 'Std') }), (s) => ({ target: OutboxTarget.FIFO_QUEUE, queue: fifoQueue(s) })],
  ['TransactionalOutbox.QueuePropsNotFifo', { target: OutboxTarget.FIFO_QUEUE, queueProps: { fifo: false } }, { target: OutboxTarget.FIFO_QUEUE, queueProps: { fifo: true } }],
  ['TransactionalOutbox.QueueWithBusTarget', (s) => ({ queue: fifoQueue(s) }), (s) => ({ eventBus: new events.EventBus(s, 'B') })],
  ['TransactionalOutbox.BusAndBusProps', (s) => ({ eventBus: new events.EventBus(s, 'B'), eventBusProps: {} }), { eventBusProps: {} }],
  ['TransactionalOutbox.TableAttributesWithoutTable', { tableAttributes: { partitionKey: 'pk', timeToLiveAttribute: 'ttl' } }, {}],
  ['TransactionalOutbox.TableOptionsWithTable', (s) => ({ table: v2(s), tableName: 'orders' }), (s) => ({ table: v2(s) })],
  ['TransactionalOutbox.MaxMessageAgeWithBusTarget', { maxMessageAge: Duration.minutes(1) }, { target: OutboxTarget.FIFO_QUEUE, maxMessageAge: Duration.minutes(1) }],
  ['TransactionalOutbox.BatchSize', { batchSize: 11 }, { batchSize: 10 }],
  ['TransactionalOutbox.BatchSize', { batchSize: 0 }, { batchSize: 1 }],
  // A batch is one request: batchSize × maxEventSize must fit PutEvents' 262,144 or SendMessageBatch's 1,048,576 bytes.
  ['TransactionalOutbox.BatchOverRequestLimit', { batchSize: 10, maxEventSize: Size.bytes(26_215) }, { batchSize: 10, maxEventSize: Size.bytes(26_214) }],
  ['TransactionalOutbox.BatchOverRequestLimit', { batchSize: 2, maxEventSize: Size.bytes(131_073) }, { batchSize: 2, maxEventSize: Size.bytes(131_072) }],
  ['TransactionalOutbox.BatchOverRequestLimit', { target: OutboxTarget.FIFO_QUEUE, batchSize: 10, maxEventSize: Size.bytes(104_858) },
    { target: OutboxTarget.FIFO_QUEUE, batchSize: 10, maxEventSize: Size.bytes(104_857) }],
  ['TransactionalOutbox.BatchOverRequestLimit', { target: OutboxTarget.FIFO_QUEUE, batchSize: 5, maxEventSize: Size.bytes(209_716) },
    { target: OutboxTarget.FIFO_QUEUE, batchSize: 5, maxEventSize: Size.bytes(209_715) }],
  ['TransactionalOutbox.MaxEventSize', { maxEventSize: Size.bytes(262_145) }, { maxEventSize: Size.bytes(262_144) }],
  ['TransactionalOutbox.MaxEventSize', { target: OutboxTarget.FIFO_QUEUE, maxEventSize: Size.bytes(262_145) }, { target: OutboxTarget.FIFO_QUEUE, maxEventSize: Size.kibibytes(256) }],
  ['TransactionalOutbox.BatchingWindow', { maxBatchingWindow: Duration.seconds(301) }, { maxBatchingWindow: Duration.seconds(300) }],
  ['TransactionalOutbox.InfiniteRetries', { retryAttempts: -1 }, { retryAttempts: 0 }],
  ['TransactionalOutbox.RetryAttempts', { retryAttempts: 10_001 }, { retryAttempts: 10_000 }],
  ['TransactionalOutbox.RetryAttempts', { retryAttempts: 2.5 }, { retryAttempts: 2 }],
  ['TransactionalOutbox.MaximumRecordAge', { maxRecordAge: Duration.seconds(59) }, { maxRecordAge: Duration.seconds(60) }],
  ['TransactionalOutbox.MaximumRecordAge', { maxRecordAge: Duration.seconds(604_801) }, { maxRecordAge: Duration.days(7) }],
  ['TransactionalOutbox.PipeName', { pipeName: 'x'.repeat(65) }, { pipeName: 'x'.repeat(64) }],
  ['TransactionalOutbox.PipeName', { pipeName: 'orders outbox' }, { pipeName: 'orders-outbox_1.v2' }],
  ['TransactionalOutbox.RetentionTooShort', { retention: Duration.hours(23) }, { retention: Duration.days(1) }],
  ['TransactionalOutbox.ImportedTableWithoutStream', (s) => ({ table: imported(s), tableAttributes: { partitionKey: 'pk', timeToLiveAttribute: 'ttl' } }),
    (s) => ({ table: imported(s, STREAM_ARN), tableAttributes: { partitionKey: 'pk', timeToLiveAttribute: 'ttl' } })],
  ['TransactionalOutbox.ImportedTableAttributes', (s) => ({ table: imported(s, STREAM_ARN) }),
    (s) => ({ table: imported(s, STREAM_ARN), tableAttributes: { partitionKey: 'pk', sortKey: 'sk', timeToLiveAttribute: 'ttl' } })],
  ['TransactionalOutbox.TableAttributesForAppTable', (s) => ({ table: v2(s), tableAttributes: { partitionKey: 'pk', timeToLiveAttribute: 'ttl' } }), (s) => ({ table: v2(s) })],
  ['TransactionalOutbox.TableStreamView', (s) => ({ table: v2(s, { dynamoStream: undefined }) }), (s) => ({ table: v2(s, { dynamoStream: dynamodb.StreamViewType.NEW_AND_OLD_IMAGES }) })],
  ['TransactionalOutbox.TableStreamView', (s) => ({ table: v2(s, { dynamoStream: dynamodb.StreamViewType.KEYS_ONLY }) }), (s) => ({ table: v2(s) })],
  ['TransactionalOutbox.TableStreamView', (s) => ({ table: v2(s, { dynamoStream: dynamodb.StreamViewType.OLD_IMAGE }) }), (s) => ({ table: v2(s) })],
  ['TransactionalOutbox.TableStreamView',
    (s) => ({ table: new dynamodb.Table(s, 'V1', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, timeToLiveAttribute: 'ttl' }) }),
    (s) => ({ table: new dynamodb.Table(s, 'V1', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, timeToLiveAttribute: 'ttl', stream: dynamodb.StreamViewType.NEW_IMAGE }) })],
  ['TransactionalOutbox.TableWithoutTtl', (s) => ({ table: v2(s, { timeToLiveAttribute: undefined }) }), (s) => ({ table: v2(s) })],
  ['TransactionalOutbox.ImportedTableTtlAttribute', (s) => ({ table: imported(s, STREAM_ARN), tableAttributes: { partitionKey: 'pk' } }),
    (s) => ({ table: imported(s, STREAM_ARN), tableAttributes: { partitionKey: 'pk', timeToLiveAttribute: 'ttl' } })],
  ['TransactionalOutbox.TableKeyType', (s) => ({ table: v2(s, { sortKey: { name: 'sk', type: dynamodb.AttributeType.NUMBER } }) }), (s) => ({ table: v2(s) })],
  ['TransactionalOutbox.ReservedAttributeName', (s) => ({ table: v2(s, { timeToLiveAttribute: 'outboxDetail' }) }), (s) => ({ table: v2(s, { timeToLiveAttribute: 'expires' }) })],
];

test.each(boundaries)('%s: rejected past the boundary, accepted at it', (id, rejected, accepted) => {
  const props = (p: PropsFor) => (s: Stack) => build(s, typeof p === 'function' ? p(s) : p);
  expect(problemIds(props(rejected))).toContain(id);
  expect(problemIds(props(accepted))).toEqual([]);
});

test('TransactionalOutbox.PipesUnavailable: rejected where EventBridge Pipes is not offered, accepted elsewhere', () => {
  const inRegion = (region: string) => () => new TransactionalOutbox(new Stack(undefined, 'S', { env: { region } }), 'Outbox', { eventSource: SOURCE });
  expect(inRegion('il-central-1')).toThrow(/EventBridge Pipes, which region il-central-1 does not offer.*TransactionalOutbox\.PipesUnavailable/);
  expect(inRegion('eu-west-1')).not.toThrow();
});

test.each([
  [OutboxTarget.EVENT_BUS, 26_214, 10], [OutboxTarget.EVENT_BUS, 26_215, 9],
  [OutboxTarget.EVENT_BUS, 262_144, 1], [OutboxTarget.EVENT_BUS, 131_072, 2],
  [OutboxTarget.FIFO_QUEUE, 104_857, 10], [OutboxTarget.FIFO_QUEUE, 104_858, 9], [OutboxTarget.FIFO_QUEUE, 262_144, 4],
])('%s with maxEventSize %i and no batchSize: the pipe batches %i, and writers get that batch size', (target, bytes, batchSize) => {
  const outbox = build(newStack(), { target, maxEventSize: Size.bytes(bytes) });
  expect(outbox.batchSize).toBe(batchSize);
  expect((outbox.pipe.sourceParameters as any).dynamoDbStreamParameters.batchSize).toBe(batchSize);
  expect(outbox.writerEnvironment().OUTBOX_BATCH_SIZE).toBe(String(batchSize));
});

test('a batch over the request limit names both numbers and the batch size that fits', () => {
  expect(() => build(newStack(), { batchSize: 10, maxEventSize: Size.kibibytes(100) })).toThrow(
    /a batch of 10 events of maxEventSize 102400 bytes is 1024000 bytes, over the 262144 bytes one PutEvents request takes.*Fix: lower batchSize to 2 or less/);
});

test('every problem names the construct path and a fix', () => {
  expect(() => build(newStack(), { batchSize: 11 })).toThrow(/\[Test\/Outbox\] batchSize 11 is outside what the target accepts per call\. Fix: use 1 to 10/);
});

test('all problems of one construct are reported together', () => {
  expect(problemIds((s) => build(s, { eventSource: 'aws.x', batchSize: 20, retryAttempts: -1, retention: Duration.hours(1) }))).toEqual([
    'TransactionalOutbox.EventSourceReserved',
    'TransactionalOutbox.BatchSize',
    'TransactionalOutbox.InfiniteRetries',
    'TransactionalOutbox.RetentionTooShort',
  ]);
});

describe('change capture writes no outbox items, so the table needs no TTL', () => {
  const capture = { itemTypes: ['Order'], attributes: ['status'] };

  test('a table of the app without TTL: accepted with capture (rejected without, above), and no TTL attribute reported', () => {
    // The table the construct creates keeps its TTL attribute (for the user's items).
    expect(build(newStack(), { capture }).tableAttributes.timeToLiveAttribute).toBe('expiresAt');
    expect(problemIds((s) => build(s, { capture, table: v2(s, { timeToLiveAttribute: undefined }) }))).toEqual([]);
    const stack = newStack();
    const withoutTtl = build(stack, { capture, table: v2(stack, { timeToLiveAttribute: undefined }) });
    expect(withoutTtl.tableAttributes).toEqual({ partitionKey: 'pk', sortKey: 'sk', timeToLiveAttribute: undefined });
  });

  test('a table of the app with TTL keeps its attribute name with capture', () => {
    const stack = newStack();
    expect(build(stack, { capture, table: v2(stack) }).tableAttributes.timeToLiveAttribute).toBe('ttl');
  });

  test('an imported table without timeToLiveAttribute: accepted with capture, and its warning does not ask for TTL', () => {
    const stack = newStack();
    const outbox = build(stack, { capture, table: imported(stack, STREAM_ARN), tableAttributes: { partitionKey: 'pk', sortKey: 'sk' } });
    expect(outbox.tableAttributes.timeToLiveAttribute).toBeUndefined();
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
    expect(warnings).toEqual([expect.stringMatching(/is imported.*its keys must be strings.*ImportedOutboxTable/)]);
    expect(warnings.join()).not.toMatch(/TTL must be enabled/);
  });
});

describe('recoverable smells are acknowledgeable warnings', () => {
  const warningsOf = (extra: PropsFor) => {
    const stack = newStack();
    build(stack, typeof extra === 'function' ? extra(stack) : extra);
    return Annotations.fromStack(stack).findWarning('*', Match.anyValue()).map((w) => String(w.entry.data));
  };

  test('a record age beyond the stream retention', () => {
    expect(warningsOf({ maxRecordAge: Duration.hours(25) })).toEqual([expect.stringMatching(/longer than the 24 hours DynamoDB Streams keeps a record.*RecordAgeBeyondStreamRetention/)]);
    expect(warningsOf({ maxRecordAge: Duration.hours(24) })).toEqual([]);
  });

  test('starting at LATEST', () => {
    expect(warningsOf({ startingPosition: OutboxStartingPosition.LATEST })).toEqual([expect.stringMatching(/never published.*StartingPositionLatest/)]);
    expect(warningsOf({ startingPosition: OutboxStartingPosition.TRIM_HORIZON })).toEqual([]);
  });

  test('an imported table, which cannot be inspected', () => {
    expect(warningsOf((s) => ({ table: imported(s, STREAM_ARN), tableAttributes: { partitionKey: 'pk', timeToLiveAttribute: 'ttl' } })))
      .toEqual([expect.stringMatching(/is imported, so its stream view type, key types and TTL cannot be checked.*ImportedOutboxTable/)]);
  });
});
