import { OutboxConfigError, OutboxTarget, resolveOutboxWriterConfig } from '../../../../lambda/runtime/outbox/config';

const constructEnv = {
  OUTBOX_TABLE_NAME: 'orders',
  OUTBOX_PARTITION_KEY: 'PK',
  OUTBOX_SORT_KEY: 'SK',
  OUTBOX_TIME_TO_LIVE_ATTRIBUTE: 'ttl',
  OUTBOX_RETENTION_SECONDS: '86400',
  OUTBOX_EVENT_SOURCE: 'com.example.orders',
  OUTBOX_TARGET: 'FIFO_QUEUE',
  OUTBOX_BATCH_SIZE: '4',
};

test('reads what grantWrite sets', () => {
  expect(resolveOutboxWriterConfig({}, constructEnv)).toEqual({
    tableName: 'orders',
    partitionKey: 'PK',
    sortKey: 'SK',
    timeToLiveAttribute: 'ttl',
    retentionSeconds: 86400,
    eventSource: 'com.example.orders',
    target: OutboxTarget.FIFO_QUEUE,
    batchSize: 4,
    maxEventBytes: 262_144,
  });
});

test('a table without a sort key: the construct sets no OUTBOX_SORT_KEY', () => {
  const { OUTBOX_SORT_KEY: _omitted, ...env } = constructEnv;
  expect(resolveOutboxWriterConfig({}, env).sortKey).toBeUndefined();
});

test('options win over the environment; without either, the defaults of a construct-made table apply', () => {
  expect(resolveOutboxWriterConfig({ tableName: 't', eventSource: 's' }, {})).toEqual({
    tableName: 't',
    partitionKey: 'pk',
    sortKey: 'sk',
    timeToLiveAttribute: 'expiresAt',
    retentionSeconds: 1209600,
    eventSource: 's',
    target: OutboxTarget.EVENT_BUS,
    batchSize: 10,
    maxEventBytes: 26_214,
  });
  expect(resolveOutboxWriterConfig({ tableName: 'other', sortKey: null }, constructEnv)).toMatchObject({ tableName: 'other', sortKey: undefined });
});

test.each([
  ['no table', { ...constructEnv, OUTBOX_TABLE_NAME: '' }, /no tableName: pass tableName or set OUTBOX_TABLE_NAME/],
  ['no event source', { ...constructEnv, OUTBOX_EVENT_SOURCE: undefined }, /no eventSource/],
  ['a retention that is not a positive whole number', { ...constructEnv, OUTBOX_RETENTION_SECONDS: '1.5' }, /retentionSeconds must be a positive whole number, got 1.5/],
  ['an unknown target', { ...constructEnv, OUTBOX_TARGET: 'TOPIC' }, /target 'TOPIC' is not one of EVENT_BUS, FIFO_QUEUE/],
  ['a batch size above what Pipes sends a bus or a queue', { ...constructEnv, OUTBOX_BATCH_SIZE: '11' }, /batchSize must be a whole number from 1 to 10, got 11/],
  ['a batch size that is not a number', { ...constructEnv, OUTBOX_BATCH_SIZE: 'ten' }, /batchSize must be a whole number from 1 to 10, got ten/],
  ['a source longer than EventBridge allows', { ...constructEnv, OUTBOX_EVENT_SOURCE: 'x'.repeat(257) }, /257 characters, EventBridge allows 256/],
])('refuses %s', (_name, env, message) => {
  expect(() => resolveOutboxWriterConfig({}, env)).toThrow(OutboxConfigError);
  expect(() => resolveOutboxWriterConfig({}, env)).toThrow(message);
});
