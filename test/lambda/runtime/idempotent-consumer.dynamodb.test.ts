/**
 * The consumer runtime run for real: Powertools batch processing and idempotency against the idempotency table on
 * DynamoDB Local. Nothing of Powertools or DynamoDB is mocked; only the Lambda inputs are built by hand.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSRecord } from 'aws-lambda';
import {
  createIdempotencyTable,
  eventBridgeEvent,
  FIFO_QUEUE_ARN,
  idempotencyItems,
  lambdaContext,
  recordingLogger,
  setItemAttributes,
  sqsEvent,
  sqsRecord,
} from './idempotent-fixtures';
import type { EventRecord } from '../../../lambda/runtime/event-record';
import {
  DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS,
  BUFFERED_CONSUMER_ENV,
  BufferedEventInput,
  idempotentBatchHandler,
  IdempotentBatchHandlerOptions,
} from '../../../lambda/runtime/idempotent-consumer';
import { localDynamoDbClient } from '../../support/dynamodb-local';

interface Order {
  orderId: string;
  fail?: boolean;
}

let client: DynamoDBClient;
let tableName: string;

beforeAll(() => {
  client = localDynamoDbClient();
});
afterAll(() => client.destroy());
beforeEach(async () => {
  tableName = await createIdempotencyTable(client);
});

/**
 * A consumer on this test's table that records every record its business logic saw. `behaviour` decides per
 * record whether the business logic throws.
 */
function consumer(
  options: Partial<IdempotentBatchHandlerOptions<Order>> = {},
  behaviour: (record: EventRecord<Order>, context: Context) => unknown = (record) => {
    if (record.detail?.fail) throw new Error(`business failure for ${record.detail.orderId}`);
  },
) {
  const logger = recordingLogger();
  const seen: EventRecord<Order>[] = [];
  const handler = idempotentBatchHandler<Order>(
    async (record, context) => {
      seen.push(record);
      await behaviour(record, context);
    },
    { tableName, dynamoDbClient: client, logger, ...options },
  );
  return {
    seen,
    logger,
    deliver: (...records: SQSRecord[]) => handler(sqsEvent(...records), lambdaContext()),
  };
}

const failedIds = (response: { batchItemFailures: { itemIdentifier: string }[] }) =>
  response.batchItemFailures.map((f) => f.itemIdentifier);

describe('duplicates run the business logic once', () => {
  test('the same event in two SQS messages, delivered in two batches', async () => {
    const { seen, logger, deliver } = consumer();
    const event = eventBridgeEvent({ orderId: 'o-1' });

    const first = await deliver(sqsRecord(event));
    const second = await deliver(sqsRecord(event));

    expect(failedIds(first)).toEqual([]);
    expect(failedIds(second)).toEqual([]);
    expect(seen.map((r) => r.detail.orderId)).toEqual(['o-1']);
    expect(logger.entries.filter((e) => e.message.startsWith('duplicate skipped'))).toHaveLength(1);
    const items = await idempotencyItems(client, tableName);
    expect(items).toHaveLength(1);
    expect(items[0].status).toBe('COMPLETED');
  });

  test('the same event in two SQS messages of one batch', async () => {
    const { seen, deliver } = consumer();
    const event = eventBridgeEvent({ orderId: 'o-2' });
    const other = eventBridgeEvent({ orderId: 'o-3' });

    const response = await deliver(sqsRecord(event), sqsRecord(other), sqsRecord(event));

    expect(failedIds(response)).toEqual([]);
    expect(seen.map((r) => r.detail.orderId)).toEqual(['o-2', 'o-3']);
  });

  test('an SQS redelivery of the same message (same message id) is skipped too', async () => {
    const { seen, deliver } = consumer();
    const message = sqsRecord(eventBridgeEvent({ orderId: 'o-4' }));

    await deliver(message);
    const again = await deliver({ ...message, attributes: { ...message.attributes, ApproximateReceiveCount: '2' } });

    expect(failedIds(again)).toEqual([]);
    expect(seen).toHaveLength(1);
  });

  test('keys carry the prefix, so two functions consuming one event do not suppress each other', async () => {
    const billing = consumer({ keyPrefix: 'billing' });
    const shipping = consumer({ keyPrefix: 'shipping' });
    const message = sqsRecord(eventBridgeEvent({ orderId: 'o-5' }));

    await billing.deliver(message);
    await shipping.deliver(message);

    expect(billing.seen).toHaveLength(1);
    expect(shipping.seen).toHaveLength(1);
    const ids = (await idempotencyItems(client, tableName)).map((i) => i.id as string).sort();
    expect(ids).toEqual([expect.stringMatching(/^billing#/), expect.stringMatching(/^shipping#/)]);
  });
});

describe('failures', () => {
  test('a failing record is reported alone; the others succeed and are stored as completed', async () => {
    const { seen, logger, deliver } = consumer();
    const ok1 = sqsRecord(eventBridgeEvent({ orderId: 'ok-1' }));
    const bad = sqsRecord(eventBridgeEvent({ orderId: 'bad', fail: true }));
    const ok2 = sqsRecord(eventBridgeEvent({ orderId: 'ok-2' }));

    const response = await deliver(ok1, bad, ok2);

    expect(failedIds(response)).toEqual([bad.messageId]);
    expect(seen.map((r) => r.detail.orderId)).toEqual(['ok-1', 'bad', 'ok-2']);
    const items = await idempotencyItems(client, tableName);
    expect(items.map((i) => i.status)).toEqual(['COMPLETED', 'COMPLETED']);
    expect(logger.entries).toContainEqual({
      level: 'error',
      message: 'record failed and will be retried',
      details: { messageId: bad.messageId, error: { name: 'Error', message: 'business failure for bad' } },
    });
  });

  test('a failed record is not stored as completed: its retry runs the business logic again and succeeds', async () => {
    let downstreamUp = false;
    const { seen, deliver } = consumer({}, (record) => {
      if (record.detail.orderId === 'retry-me' && !downstreamUp) throw new Error('downstream unavailable');
    });
    const message = sqsRecord(eventBridgeEvent({ orderId: 'retry-me' }));
    const bystander = sqsRecord(eventBridgeEvent({ orderId: 'bystander' }));

    expect(failedIds(await deliver(message, bystander))).toEqual([message.messageId]);
    expect(await idempotencyItems(client, tableName)).toHaveLength(1);

    downstreamUp = true;
    expect(failedIds(await deliver(message))).toEqual([]);
    expect(failedIds(await deliver(message))).toEqual([]);
    expect(seen.map((r) => r.detail.orderId)).toEqual(['retry-me', 'bystander', 'retry-me']);
    expect((await idempotencyItems(client, tableName)).map((i) => i.status)).toEqual(['COMPLETED', 'COMPLETED']);
  });

  // Powertools batch reads `.message` of what was thrown: null or undefined would throw inside it and fail the whole
  // invocation. A key function runs outside the idempotent call, so its throws are covered as well.
  test.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'nope'],
    ['a plain object', { code: 'E_DOWN' }],
  ])('a record handler or key function that throws %s fails that record only', async (_, thrown) => {
    const throwing = consumer({}, (record) => {
      if (record.detail.orderId === 'bad') throw thrown;
    });
    const keyed = consumer({
      idempotencyKey: (record) => {
        if (record.detail.orderId === 'bad') throw thrown;
        return record.detail.orderId;
      },
    });
    for (const { deliver, logger } of [throwing, keyed]) {
      const ok = sqsRecord(eventBridgeEvent({ orderId: 'ok' }));
      const bad = sqsRecord(eventBridgeEvent({ orderId: 'bad' }));
      expect(failedIds(await deliver(ok, bad))).toEqual([bad.messageId]);
      expect(logger.entries).toContainEqual(expect.objectContaining({
        message: 'record failed and will be retried',
        details: { messageId: bad.messageId, error: expect.objectContaining({ name: 'NonErrorThrownError' }) },
      }));
    }
  });

  test('a batch where every record failed fails the invocation by default, so the event source backs off', async () => {
    const { deliver } = consumer();
    await expect(deliver(sqsRecord(eventBridgeEvent({ orderId: 'x', fail: true })))).rejects.toThrow(
      expect.objectContaining({ name: 'FullBatchFailureError' }),
    );
  });

  test('throwOnFullBatchFailure: false lists every record instead', async () => {
    const { deliver } = consumer({ throwOnFullBatchFailure: false });
    const a = sqsRecord(eventBridgeEvent({ orderId: 'a', fail: true }));
    const b = sqsRecord('{oops', { rawBody: true });
    expect(failedIds(await deliver(a, b))).toEqual([a.messageId, b.messageId]);
  });

  test('when the idempotency table cannot be written, the business logic does not run (fail closed)', async () => {
    const { seen, deliver } = consumer({ tableName: 'no-such-table', throwOnFullBatchFailure: false });
    const message = sqsRecord(eventBridgeEvent({ orderId: 'o-6' }));

    expect(failedIds(await deliver(message))).toEqual([message.messageId]);
    expect(seen).toEqual([]);
  });
});

describe('malformed bodies fail only their own record', () => {
  test('a body that is not JSON', async () => {
    const { seen, logger, deliver } = consumer();
    const good = sqsRecord(eventBridgeEvent({ orderId: 'fine' }));
    const broken = sqsRecord('{"id": "truncated', { rawBody: true });

    const response = await deliver(broken, good);

    expect(failedIds(response)).toEqual([broken.messageId]);
    expect(seen.map((r) => r.detail.orderId)).toEqual(['fine']);
    expect(logger.entries.find((e) => e.level === 'error')?.details).toEqual({
      messageId: broken.messageId,
      error: expect.objectContaining({ name: 'MalformedMessageError', message: expect.stringContaining('not JSON') }),
    });
  });

  test('a detail-only body on a consumer that expects whole events', async () => {
    const { seen, logger, deliver } = consumer({ input: BufferedEventInput.WHOLE_EVENT });
    const detailOnly = sqsRecord({ orderId: 'naked' });
    const good = sqsRecord(eventBridgeEvent({ orderId: 'dressed' }));

    const response = await deliver(detailOnly, good);

    expect(failedIds(response)).toEqual([detailOnly.messageId]);
    expect(seen.map((r) => r.detail.orderId)).toEqual(['dressed']);
    expect(logger.entries.find((e) => e.level === 'error')?.details.error.message).toMatch(/input DETAIL/);
  });
});

describe('the record the business logic receives', () => {
  test('whole-event body: event, detail, detailType, source, messageId and the raw SQS record', async () => {
    const { seen, deliver } = consumer();
    const event = eventBridgeEvent({ orderId: 'typed' }, { detailType: 'OrderPlaced', source: 'com.example.orders' });
    const message = sqsRecord(event);

    await deliver(message);

    expect(seen).toEqual([{
      event,
      detail: { orderId: 'typed' },
      detailType: 'OrderPlaced',
      source: 'com.example.orders',
      messageId: message.messageId,
      raw: message,
    }]);
  });

  test('detail-only body: the detail, without an envelope', async () => {
    const { seen, deliver } = consumer({ input: BufferedEventInput.DETAIL });
    const message = sqsRecord({ orderId: 'bare' });

    await deliver(message);

    expect(seen).toEqual([{ detail: { orderId: 'bare' }, messageId: message.messageId, raw: message }]);
  });

  test('the input can come from the BUFFERED_EVENT_INPUT environment variable, and a bad value fails at init', async () => {
    const saved = process.env[BUFFERED_CONSUMER_ENV.EVENT_INPUT];
    try {
      process.env[BUFFERED_CONSUMER_ENV.EVENT_INPUT] = 'DETAIL';
      const { seen, deliver } = consumer();
      await deliver(sqsRecord({ orderId: 'from-env' }));
      expect(seen.map((r) => [r.event, r.detail.orderId])).toEqual([[undefined, 'from-env']]);

      process.env[BUFFERED_CONSUMER_ENV.EVENT_INPUT] = 'whole';
      expect(() => consumer()).toThrow(/event input 'whole' is not one of WHOLE_EVENT, DETAIL/);
    } finally {
      if (saved === undefined) delete process.env[BUFFERED_CONSUMER_ENV.EVENT_INPUT];
      else process.env[BUFFERED_CONSUMER_ENV.EVENT_INPUT] = saved;
    }
  });
});

describe('which identity is the idempotency key', () => {
  test('whole-event body: the event id, not the message id nor the content', async () => {
    const { seen, deliver } = consumer();
    const sharedMessageId = 'same-message-id';
    // Two distinct events that happen to look alike must both run.
    await deliver(sqsRecord(eventBridgeEvent({ orderId: 'twin' }), { messageId: sharedMessageId }));
    await deliver(sqsRecord(eventBridgeEvent({ orderId: 'twin' }), { messageId: sharedMessageId }));
    expect(seen).toHaveLength(2);
  });

  test('detail-only body: the SQS message id, so a redelivery is skipped but a second message runs', async () => {
    const { seen, deliver } = consumer({ input: BufferedEventInput.DETAIL });
    const message = sqsRecord({ orderId: 'o-7' });

    await deliver(message);
    await deliver(message);
    await deliver(sqsRecord({ orderId: 'o-7' }));

    expect(seen).toHaveLength(2);
    expect(seen[0].messageId).toBe(message.messageId);
    expect(seen[1].messageId).not.toBe(message.messageId);
  });

  test('a custom JMESPath over the body (detail-only): two messages with the same order id run once', async () => {
    const { seen, deliver } = consumer({ input: BufferedEventInput.DETAIL, idempotencyKey: 'orderId' });

    await deliver(sqsRecord({ orderId: 'o-8' }), sqsRecord({ orderId: 'o-8' }), sqsRecord({ orderId: 'o-9' }));

    expect(seen.map((r) => r.detail.orderId)).toEqual(['o-8', 'o-9']);
  });

  test('a custom JMESPath over the body (whole event): distinct event ids with the same order id run once', async () => {
    const { seen, deliver } = consumer({ idempotencyKey: 'detail.orderId' });

    await deliver(sqsRecord(eventBridgeEvent({ orderId: 'o-10' })), sqsRecord(eventBridgeEvent({ orderId: 'o-10' })));

    expect(seen).toHaveLength(1);
  });

  test('a custom key function', async () => {
    const { seen, deliver } = consumer({ idempotencyKey: (record) => record.detail.orderId.toLowerCase() });

    await deliver(sqsRecord(eventBridgeEvent({ orderId: 'ABC' })), sqsRecord(eventBridgeEvent({ orderId: 'abc' })));

    expect(seen.map((r) => r.detail.orderId)).toEqual(['ABC']);
  });

  test('a record without a key fails instead of running unprotected (JMESPath and function)', async () => {
    const byPath = consumer({ input: BufferedEventInput.DETAIL, idempotencyKey: 'orderId' });
    const keyless = sqsRecord({ customer: 'no order id' });
    const keyed = sqsRecord({ orderId: 'o-11' });
    expect(failedIds(await byPath.deliver(keyless, keyed))).toEqual([keyless.messageId]);
    expect(byPath.seen.map((r) => r.detail.orderId)).toEqual(['o-11']);

    const byFunction = consumer({ idempotencyKey: () => '' });
    const message = sqsRecord(eventBridgeEvent({ orderId: 'o-12' }));
    await expect(byFunction.deliver(message)).rejects.toThrow(expect.objectContaining({ name: 'FullBatchFailureError' }));
    expect(byFunction.logger.entries[0].details.error.name).toBe('MissingIdempotencyKeyError');
    expect(byFunction.seen).toEqual([]);
  });
});

describe('expiry', () => {
  test('a completed item lives for expiresAfterSeconds (default 1 hour) in the TTL attribute `expiration`', async () => {
    const defaults = consumer({ keyPrefix: 'defaults' });
    const custom = consumer({ expiresAfterSeconds: 120, keyPrefix: 'custom' });
    const before = Date.now() / 1000;
    await defaults.deliver(sqsRecord(eventBridgeEvent({ orderId: 'o-13' })));
    await custom.deliver(sqsRecord(eventBridgeEvent({ orderId: 'o-14' })));
    const after = Date.now() / 1000;

    const items = await idempotencyItems(client, tableName);
    const expirationOf = (prefix: RegExp) => items.find((i) => prefix.test(i.id))?.expiration as number;
    expect(expirationOf(/^custom#/)).toBeGreaterThanOrEqual(Math.floor(before + 120));
    expect(expirationOf(/^custom#/)).toBeLessThanOrEqual(Math.ceil(after + 120));
    expect(expirationOf(/^defaults#/)).toBeGreaterThanOrEqual(Math.floor(before + DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS));
    expect(expirationOf(/^defaults#/)).toBeLessThanOrEqual(Math.ceil(after + DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS));
  });

  test('once the item has expired (TTL deletion is lazy, so it may still be there), the event runs again', async () => {
    const { seen, deliver } = consumer();
    const message = sqsRecord(eventBridgeEvent({ orderId: 'o-15' }));
    await deliver(message);
    await deliver(message);
    expect(seen).toHaveLength(1);

    const [item] = await idempotencyItems(client, tableName);
    await setItemAttributes(client, tableName, item.id, { expiration: Math.floor(Date.now() / 1000) - 1 });
    await deliver(message);

    expect(seen).toHaveLength(2);
    const [renewed] = await idempotencyItems(client, tableName);
    expect(renewed.status).toBe('COMPLETED');
    expect(renewed.expiration).toBeGreaterThan(Date.now() / 1000);
  });

  test('without expiresAfterSeconds, the window is IDEMPOTENCY_EXPIRY_SECONDS (the IdempotencyTable expiry grantIdempotency sets)', async () => {
    process.env.IDEMPOTENCY_EXPIRY_SECONDS = '90000';
    try {
      const fromEnv = consumer({ keyPrefix: 'from-env' });
      const before = Date.now() / 1000;
      await fromEnv.deliver(sqsRecord(eventBridgeEvent({ orderId: 'o-16' })));
      const after = Date.now() / 1000;
      const expiration = (await idempotencyItems(client, tableName)).find((i) => /^from-env#/.test(i.id))?.expiration as number;
      expect(expiration).toBeGreaterThanOrEqual(Math.floor(before + 90_000));
      expect(expiration).toBeLessThanOrEqual(Math.ceil(after + 90_000));
    } finally {
      delete process.env.IDEMPOTENCY_EXPIRY_SECONDS;
    }
  });

  test('expiresAfterSeconds must be a positive whole number', () => {
    expect(() => consumer({ expiresAfterSeconds: 0 })).toThrow(/positive whole number, got 0/);
    expect(() => consumer({ expiresAfterSeconds: 1.5 })).toThrow(/positive whole number, got 1.5/);
  });
});

describe('in-progress items and the function timeout', () => {
  test('while a record runs, its item is INPROGRESS and expires with the invocation (registerLambdaContext)', async () => {
    let observed: { item: Record<string, any>; deadline: number } | undefined;
    const { deliver } = consumer({}, async (_record, context) => {
      const [item] = await idempotencyItems(client, tableName);
      observed = { item, deadline: Date.now() + context.getRemainingTimeInMillis() };
    });

    await deliver(sqsRecord(eventBridgeEvent({ orderId: 'o-16' })));

    expect(observed?.item.status).toBe('INPROGRESS');
    expect(Math.abs(observed!.item.in_progress_expiration - observed!.deadline)).toBeLessThan(2000);
  });

  test('an in-progress item left by a timed-out invocation does not block the retry', async () => {
    const { seen, deliver } = consumer();
    const message = sqsRecord(eventBridgeEvent({ orderId: 'o-17' }));
    await deliver(message);
    const [item] = await idempotencyItems(client, tableName);
    // As if an earlier invocation had written INPROGRESS and then died at its deadline.
    await setItemAttributes(client, tableName, item.id, { status: 'INPROGRESS', in_progress_expiration: Date.now() - 1000 });

    expect(failedIds(await deliver(message))).toEqual([]);
    expect(seen).toHaveLength(2);
  });

  test('a copy that arrives while another invocation still runs the same event fails and is retried later', async () => {
    const { seen, logger, deliver } = consumer();
    const message = sqsRecord(eventBridgeEvent({ orderId: 'o-18' }));
    await deliver(message);
    const [item] = await idempotencyItems(client, tableName);
    await setItemAttributes(client, tableName, item.id, { status: 'INPROGRESS', in_progress_expiration: Date.now() + 60_000 });
    const other = sqsRecord(eventBridgeEvent({ orderId: 'o-19' }));

    expect(failedIds(await deliver(message, other))).toEqual([message.messageId]);
    expect(seen.map((r) => r.detail.orderId)).toEqual(['o-18', 'o-19']);
    expect(logger.entries.find((e) => e.level === 'error')?.details.error.name).toBe('IdempotencyAlreadyInProgressError');
  });
});

describe('ordering and concurrency inside a batch', () => {
  function concurrencyProbe() {
    let running = 0;
    let peak = 0;
    return {
      behaviour: async () => {
        running += 1;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 20));
        running -= 1;
      },
      peak: () => peak,
    };
  }
  const batchOf = (n: number) => Array.from({ length: n }, (_, i) => sqsRecord(eventBridgeEvent({ orderId: `seq-${i}` })));

  test('records run one after another, in batch order, by default', async () => {
    const probe = concurrencyProbe();
    const { seen, deliver } = consumer({}, probe.behaviour);

    await deliver(...batchOf(5));

    expect(probe.peak()).toBe(1);
    expect(seen.map((r) => r.detail.orderId)).toEqual(['seq-0', 'seq-1', 'seq-2', 'seq-3', 'seq-4']);
  });

  test('processInParallel runs them concurrently', async () => {
    const probe = concurrencyProbe();
    const { seen, deliver } = consumer({ processInParallel: true }, probe.behaviour);

    await deliver(...batchOf(5));

    expect(seen).toHaveLength(5);
    expect(probe.peak()).toBeGreaterThan(1);
  });

  test('FIFO queue: after a failure the rest of that message group is failed unrun; other groups go on', async () => {
    const probe = concurrencyProbe();
    const { seen, logger, deliver } = consumer({ processInParallel: true }, async (record) => {
      await probe.behaviour();
      if (record.detail.fail) throw new Error('group A blocked');
    });
    const fifo = (orderId: string, group: string, fail = false) =>
      sqsRecord(eventBridgeEvent({ orderId, fail }), { queueArn: FIFO_QUEUE_ARN, messageGroupId: group });
    const a1 = fifo('a1', 'A');
    const a2 = fifo('a2', 'A', true);
    const b1 = fifo('b1', 'B');
    const a3 = fifo('a3', 'A');
    const b2 = fifo('b2', 'B');

    const response = await deliver(a1, a2, b1, a3, b2);

    expect(failedIds(response)).toEqual([a2.messageId, a3.messageId]);
    expect(seen.map((r) => r.detail.orderId)).toEqual(['a1', 'a2', 'b1', 'b2']);
    expect(probe.peak()).toBe(1);
    expect(logger.entries.filter((e) => e.level === 'warn')).toHaveLength(1);
  });
});

describe('configuration', () => {
  test('the table name comes from IDEMPOTENCY_TABLE_NAME when not given', async () => {
    const saved = process.env[BUFFERED_CONSUMER_ENV.IDEMPOTENCY_TABLE_NAME];
    try {
      process.env[BUFFERED_CONSUMER_ENV.IDEMPOTENCY_TABLE_NAME] = tableName;
      const handler = idempotentBatchHandler(() => undefined, { dynamoDbClient: client, logger: recordingLogger() });
      await handler(sqsEvent(sqsRecord(eventBridgeEvent({ orderId: 'env' }))), lambdaContext());
      expect(await idempotencyItems(client, tableName)).toHaveLength(1);

      delete process.env[BUFFERED_CONSUMER_ENV.IDEMPOTENCY_TABLE_NAME];
      expect(() => idempotentBatchHandler(() => undefined)).toThrow(/set the IDEMPOTENCY_TABLE_NAME environment variable/);
    } finally {
      if (saved === undefined) delete process.env[BUFFERED_CONSUMER_ENV.IDEMPOTENCY_TABLE_NAME];
      else process.env[BUFFERED_CONSUMER_ENV.IDEMPOTENCY_TABLE_NAME] = saved;
    }
  });

  test('an empty JMESPath is rejected at init', () => {
    expect(() => consumer({ idempotencyKey: ' ' })).toThrow(/JMESPath expression is empty/);
  });
});
