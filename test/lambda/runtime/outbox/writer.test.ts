/**
 * What the OutboxWriter refuses before calling DynamoDB. The client is a real DynamoDBClient pointed at a closed
 * port, with a middleware counting the requests it sends: every refusal must leave the count at zero.
 */
import { isDeepStrictEqual } from 'node:util';
import { DynamoDBClient, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import * as fc from 'fast-check';
import { OutboxTarget } from '../../../../lambda/runtime/outbox/config';
import { outboxDeliveryFrom } from '../../../../lambda/runtime/outbox/outbox-row';
import { eventEntryBytes } from '../../../../lambda/runtime/outbox/sizes';
import { OutboxEvent, OutboxTransactionRejectedError, OutboxWriter, OutboxWriterOptions } from '../../../../lambda/runtime/outbox/writer';
import { maxOutboxEventBytes, OUTBOX_LIMITS, outboxRequestByteLimit } from '../../../../lib/transactional-outbox/contract';

const TABLE = 'orders';
const NOW = Date.parse('2024-05-01T12:00:00.000Z');
const KB = 1024;

function writerFor(options: Partial<OutboxWriterOptions> = {}) {
  const client = new DynamoDBClient({
    endpoint: 'http://127.0.0.1:9',
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  let sent = 0;
  client.middlewareStack.add((next) => async (args) => {
    sent++;
    return next(args);
  }, { step: 'initialize', name: 'countRequests' });
  const writer = new OutboxWriter({ client, tableName: TABLE, eventSource: 'com.example.orders', now: () => NOW, ...options });
  return { writer, sent: () => sent };
}

const event = (extra: Partial<OutboxEvent> = {}): OutboxEvent => ({
  detailType: 'OrderPlaced',
  aggregateId: 'order-1',
  detail: { orderId: 'order-1', total: 42 },
  ...extra,
});
const put = (pk: string, sk: string, extra: Record<string, any> = {}): TransactWriteItem =>
  ({ Put: { TableName: TABLE, Item: { pk: { S: pk }, sk: { S: sk }, ...extra } } });
const blob = (bytes: number) => ({ S: 'x'.repeat(bytes) });

/**
 * The outbox item's image after DynamoDB applies the writer's update to an item at `previousSequence`: the key, every
 * `#name = :value` assignment, and the incremented sequence.
 */
function imageAfter(action: TransactWriteItem, previousSequence = 0): Record<string, any> {
  const update = action.Update!;
  const image: Record<string, any> = { ...update.Key };
  for (const [, name, value] of update.UpdateExpression!.matchAll(/(#\w+) = (:\w+)(?=,|$)/g)) {
    image[update.ExpressionAttributeNames![name]] = update.ExpressionAttributeValues![value];
  }
  image[update.ExpressionAttributeNames!['#sequence']] = { N: String(previousSequence + 1) };
  return image;
}

/** The problems `write` is refused with; it must not have sent anything. */
async function refusal(request: Parameters<OutboxWriter['write']>[0], options: Partial<OutboxWriterOptions> = {}): Promise<string[]> {
  const { writer, sent } = writerFor(options);
  const error = await writer.write(request).then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(OutboxTransactionRejectedError);
  expect(sent()).toBe(0);
  return [...(error as OutboxTransactionRejectedError).problems];
}

/** Accepted by the checks: prepare returns a request (nothing is sent). */
function accepted(request: Parameters<OutboxWriter['write']>[0], options: Partial<OutboxWriterOptions> = {}) {
  const { writer, sent } = writerFor(options);
  const prepared = writer.prepare(request);
  expect(sent()).toBe(0);
  return prepared;
}

describe('refused before calling DynamoDB, accepted at the boundary', () => {
  test('more than 100 actions (business writes plus one per event)', async () => {
    const writes = (n: number) => Array.from({ length: n }, (_, i) => put(`order-${i}`, 'ORDER'));
    expect(await refusal({ writes: writes(100), events: [event()] })).toEqual([expect.stringMatching(/101 actions.*DynamoDB allows 100/)]);
    expect(accepted({ writes: writes(99), events: [event()] }).input.TransactItems).toHaveLength(100);
  });

  test('an item over 400 KB', async () => {
    const overhead = 2 + 7 + 2 + 5 + 4; // pk + value, sk + value, the name "blob"
    const withBlob = (bytes: number) => put('order-1', 'ORDER', { blob: blob(bytes - overhead) });
    expect(await refusal({ writes: [withBlob(400 * KB + 1)], events: [event()] })).toEqual([expect.stringMatching(/action 0 \(Put on orders\) writes an item of 409601 bytes/)]);
    accepted({ writes: [withBlob(400 * KB)], events: [event()] });
  });

  test('a transaction over 4 MB', async () => {
    const items = (n: number) => Array.from({ length: n }, (_, i) => put(`order-${i}`, 'ORDER', { blob: blob(390 * KB) }));
    expect(await refusal({ writes: items(11), events: [event()] })).toEqual([expect.stringMatching(/carries \d+ bytes of items; DynamoDB allows 4194304/)]);
    accepted({ writes: items(10), events: [event()] });
  });

  test('two actions on one item, whatever the action kinds', async () => {
    const update: TransactWriteItem = { Update: { TableName: TABLE, Key: { pk: { S: 'order-1' }, sk: { S: 'ORDER' } }, UpdateExpression: 'SET s = :s', ExpressionAttributeValues: { ':s': { S: 'x' } } } };
    expect(await refusal({ writes: [put('order-1', 'ORDER'), update], events: [event()] }))
      .toEqual([expect.stringMatching(/actions 0 and 1 both act on one item of orders/)]);
    accepted({ writes: [put('order-1', 'ORDER'), { ...update, Update: { ...update.Update!, Key: { pk: { S: 'order-2' }, sk: { S: 'ORDER' } } } }], events: [event()] });
  });

  test('a business write on the outbox item key of the aggregate', async () => {
    expect(await refusal({ writes: [put('order-1', 'OUTBOX#order-1')], events: [event()] }))
      .toEqual([expect.stringMatching(/actions 0 and 1 both act on one item/)]);
  });

  test('two events of one aggregate (one outbox item, which a transaction can write once); two aggregates are fine', async () => {
    expect(await refusal({ events: [event(), event({ detailType: 'OrderPaid' })] }))
      .toEqual([expect.stringMatching(/events 0 and 1 are both about aggregate order-1/)]);
    expect(accepted({ events: [event(), event({ aggregateId: 'order-2' })] }).input.TransactItems).toHaveLength(2);
  });

  test('an expected sequence that is not a whole number from 0', async () => {
    for (const expectedSequence of [-1, 1.5, Number.NaN]) {
      expect(await refusal({ events: [event({ expectedSequence })] })).toEqual([expect.stringMatching(/expectedSequence .* is not a whole number from 0/)]);
    }
    accepted({ events: [event({ expectedSequence: 0 })] });
  });

  test('a Put on another table whose keys the writer does not know; fine once they are given', async () => {
    const audit: TransactWriteItem = { Put: { TableName: 'audit', Item: { id: { S: 'a-1' } } } };
    expect(await refusal({ writes: [audit], events: [event()] })).toEqual([expect.stringMatching(/key attributes of table audit are unknown.*pass tableKeys/)]);
    accepted({ writes: [audit], events: [event()] }, { tableKeys: { audit: ['id'] } });
  });

  // Pipes sends a batch of up to batchSize events as one request; the target limits the request (PutEvents 256 KB
  // of summed entry sizes, SendMessageBatch 1 MiB of summed bodies), so the writer's cap is the limit over the batch.
  // The sequence DynamoDB will assign is counted at its widest unless the event expects one.
  const envelopeOf = (data: string, sequence = Number.MAX_SAFE_INTEGER) => JSON.stringify({
    metadata: { eventId: '01HX0000000000000000000000', source: 'com.example.orders', detailType: 'OrderPlaced', occurredAt: new Date(NOW).toISOString(), aggregateId: 'order-1', sequence },
    data: { s: data },
  });
  // entry = 14 (time) + source (18) + detail-type (11) + event id as the resource (26) + detail: the envelope's JSON
  const entryBytes = (data: string) => eventEntryBytes({ source: 'com.example.orders', detailType: 'OrderPlaced', detail: envelopeOf(data), resources: ['01HX0000000000000000000000'], hasTime: true });
  const bodyBytes = (data: string) => Buffer.byteLength(envelopeOf(data));

  test.each([
    [1, OutboxTarget.EVENT_BUS, 256 * KB],
    [10, OutboxTarget.EVENT_BUS, 26_214],
    [3, OutboxTarget.EVENT_BUS, 87_381],
    [1, OutboxTarget.FIFO_QUEUE, 256 * KB],
    [10, OutboxTarget.FIFO_QUEUE, 104_857],
    [4, OutboxTarget.FIFO_QUEUE, 256 * KB],
    [5, OutboxTarget.FIFO_QUEUE, 209_715],
  ])('batch size %i, target %s: an event of exactly %i bytes is accepted, one byte more is refused', async (batchSize, target, limit) => {
    expect(maxOutboxEventBytes(target, batchSize)).toBe(limit);
    const measure = target === OutboxTarget.FIFO_QUEUE ? bodyBytes : entryBytes;
    const padding = limit - measure('');
    expect(measure('x'.repeat(padding))).toBe(limit);
    const options = { target, batchSize };
    const problems = await refusal({ events: [event({ detail: { s: 'x'.repeat(padding + 1) } })] }, options);
    expect(problems).toEqual([expect.stringContaining(`the event is ${limit + 1} bytes as the ${target === OutboxTarget.FIFO_QUEUE ? 'queue message' : 'EventBridge entry'} it becomes; the limit is ${limit}`)]);
    accepted({ events: [event({ detail: { s: 'x'.repeat(padding) } })] }, options);
  });

  test.each([OutboxTarget.EVENT_BUS, OutboxTarget.FIFO_QUEUE])('%s: a full batch of the largest accepted events fits one request; at one byte more it would not', (target) => {
    for (let batchSize = 1; batchSize <= 10; batchSize++) {
      const cap = maxOutboxEventBytes(target, batchSize);
      const requestLimit = outboxRequestByteLimit(target);
      expect(batchSize * cap).toBeLessThanOrEqual(requestLimit);
      // The cap is the request's share, unless the per-event limit is lower.
      if (cap < OUTBOX_LIMITS.maxEventEntryBytes) expect(batchSize * (cap + 1)).toBeGreaterThan(requestLimit);
    }
  });

  test('the batch size comes from the environment the construct sets, and an invalid one fails the writer at build', () => {
    process.env.OUTBOX_BATCH_SIZE = '2';
    try {
      expect(writerFor().writer.config.maxEventBytes).toBe(128 * KB);
      process.env.OUTBOX_BATCH_SIZE = '11';
      expect(() => writerFor()).toThrow(/batchSize must be a whole number from 1 to 10, got 11/);
    } finally {
      delete process.env.OUTBOX_BATCH_SIZE;
    }
  });

  test('with an expected sequence the envelope\'s exact sequence is counted', async () => {
    const single = { target: OutboxTarget.EVENT_BUS, batchSize: 1 };
    const padding = 256 * KB - entryBytes('');
    const widest = event({ detail: { s: 'x'.repeat(padding) } });
    accepted({ events: [widest] }, single);
    // Sequence 8 is 8 bytes shorter than the widest: exactly that much more detail fits.
    const shorter = String(Number.MAX_SAFE_INTEGER).length - 1;
    accepted({ events: [event({ detail: { s: 'x'.repeat(padding + shorter) }, expectedSequence: 7 })] }, single);
    expect(await refusal({ events: [event({ detail: { s: 'x'.repeat(padding + shorter + 1) }, expectedSequence: 7 })] }, single))
      .toEqual([expect.stringMatching(/262145 bytes as the EventBridge entry/)]);
  });

  test('a detail whose JSON is not an object: the serialized form is checked, not the input', async () => {
    class Money {
      constructor(private readonly cents: number) {}
      toJSON() { return `${this.cents / 100} EUR`; }
    }
    class Pair {
      toJSON() { return [1, 2]; }
    }
    for (const detail of [[1, 2], 'text', null, new Date(NOW), new Money(1050), new Pair()]) {
      expect(await refusal({ events: [event({ detail: detail as any })] })).toEqual([expect.stringMatching(/detail must serialize to a JSON object|detail: /)]);
    }
    expect(await refusal({ events: [event({ detail: new Date(NOW) as any })] })).toEqual([expect.stringMatching(/its JSON is "2024-05-01T12:00:00.000Z"/)]);
  });

  test('what JSON would silently change is refused, with the path of each value', async () => {
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = cycle;
    const cases: [object, RegExp][] = [
      [{ total: NaN }, /detail.total: NaN is not a JSON number/],
      [{ lines: [{ price: Infinity }] }, /detail.lines\[0\].price: Infinity is not a JSON number/],
      [{ note: undefined }, /detail.note: undefined has no JSON form/],
      [{ items: [1, undefined] }, /detail.items\[1\]: undefined has no JSON form/],
      [{ tags: new Set(['a']) }, /detail.tags: a Set without toJSON \(JSON would publish \{\}\)/],
      [{ byId: new Map([['a', 1]]) }, /detail.byId: a Map without toJSON/],
      [{ n: BigInt(1) }, /detail.n: a BigInt has no JSON form/],
      [{ f: () => 1 }, /detail.f: function has no JSON form/],
      [{ [Symbol('s')]: 1, a: 1 }, /detail: symbol-keyed properties/],
      [{ error: new Error('x') }, /detail.error: a Error without toJSON/],
      [cycle, /detail.self: a cycle/],
    ];
    for (const [detail, problem] of cases) {
      expect(await refusal({ events: [event({ detail: detail as any })] })).toEqual([expect.stringMatching(problem)]);
    }
  });

  test('committed ⇔ published, for any value (seeded): an accepted detail is published as its JSON, a refused one is one JSON would change', () => {
    const { writer } = writerFor();
    const anything = fc.anything({
      withBigInt: true,
      withMap: true,
      withSet: true,
      withDate: true,
      withNullPrototype: true,
      withTypedArray: true,
      withSparseArray: true,
      withBoxedValues: true,
    });
    fc.assert(fc.property(fc.dictionary(fc.string(), anything), (detail) => {
      let prepared;
      try {
        prepared = writer.prepare({ events: [event({ detail })] });
      } catch (error) {
        expect(error).toBeInstanceOf(OutboxTransactionRejectedError);
        // Refused only when JSON would not carry the detail as given.
        expect(isDeepStrictEqual(JSON.parse(JSON.stringify(detail, (_k, v) => (typeof v === 'bigint' ? 0 : v))), detail)).toBe(false);
        return;
      }
      // Accepted: the enrichment turns the committed image into exactly the detail's JSON, and never throws on it.
      const delivery = outboxDeliveryFrom({ eventName: 'INSERT', dynamodb: { NewImage: imageAfter(prepared.input.TransactItems![0]) } }, 'com.example.orders');
      expect(delivery!.data).toEqual(JSON.parse(JSON.stringify(detail)));
    }), { numRuns: 500, seed: 19 });
  });

  test('what JSON maps as documented is accepted and published as its JSON: toJSON results, boxed primitives, -0', () => {
    class Money {
      constructor(private readonly cents: number) {}
      toJSON() { return { amount: this.cents / 100, currency: 'EUR' }; }
    }
    // eslint-disable-next-line no-new-wrappers
    const detail = { at: new Date(NOW), total: new Money(1050), count: new Number(3), zero: -0, nested: [{ ok: true, none: null }] };
    const [published] = accepted({ events: [event({ detail })] }).events;
    expect(published.data).toEqual({ at: '2024-05-01T12:00:00.000Z', total: { amount: 10.5, currency: 'EUR' }, count: 3, zero: 0, nested: [{ ok: true, none: null }] });
    expect(published.data).toEqual(JSON.parse(JSON.stringify(detail)));
  });

  test('a detail-type outside 1 to 128 characters', async () => {
    expect(await refusal({ events: [event({ detailType: 'x'.repeat(129) })] })).toEqual([expect.stringMatching(/detailType must be 1 to 128 characters/)]);
    expect(await refusal({ events: [event({ detailType: '' })] })).toEqual([expect.stringMatching(/detailType must be 1 to 128/)]);
    accepted({ events: [event({ detailType: 'x'.repeat(128) })] });
  });

  test('with a FIFO target, an aggregate id that cannot be a message group', async () => {
    const fifo = { target: OutboxTarget.FIFO_QUEUE };
    expect(await refusal({ events: [event({ aggregateId: 'order 1' })] }, fifo)).toEqual([expect.stringMatching(/aggregateId is the FIFO message group/)]);
    expect(await refusal({ events: [event({ aggregateId: 'x'.repeat(129) })] }, fifo)).toEqual([expect.stringMatching(/1 to 128 printable ASCII/)]);
    accepted({ events: [event({ aggregateId: 'x'.repeat(128) })] }, fifo);
    accepted({ events: [event({ aggregateId: 'order 1' })] });
  });

  test('an empty aggregate id', async () => {
    expect(await refusal({ events: [event({ aggregateId: '' })] })).toEqual([expect.stringMatching(/aggregateId must be a non-empty string/)]);
  });

  test('a client request token over 36 characters', async () => {
    expect(await refusal({ events: [event()], clientRequestToken: 'x'.repeat(37) })).toEqual([expect.stringMatching(/clientRequestToken is 37 characters/)]);
    accepted({ events: [event()], clientRequestToken: 'x'.repeat(36) });
  });

  test('an event id that is not a ULID, an invalid date', async () => {
    expect(await refusal({ events: [event({ eventId: 'not-a-ulid' })] })).toEqual([expect.stringMatching(/eventId 'not-a-ulid' is not a ULID/)]);
    expect(await refusal({ events: [event({ occurredAt: new Date('nope') })] })).toEqual([expect.stringMatching(/occurredAt is not a valid date/)]);
  });

  test('an empty transaction', async () => {
    expect(await refusal({ events: [] })).toEqual(['the transaction has no actions']);
  });

  test('every problem at once', async () => {
    expect(await refusal({ events: [event({ detailType: '' }), event({ aggregateId: '' })], clientRequestToken: 'x'.repeat(40) })).toHaveLength(3);
  });
});

describe('the prepared request', () => {
  test('the outbox item of the aggregate beside it, its sequence incremented, expiring after the retention, one token for retries', () => {
    const prepared = accepted({ writes: [put('ORDER#1', 'ORDER')], events: [event({ partitionKey: 'ORDER#1' })] }, { retentionSeconds: 3600 });
    const [published] = prepared.events;
    expect(prepared.input.ClientRequestToken).toMatch(/^[0-9a-f-]{36}$/);
    const update = prepared.input.TransactItems![1].Update!;
    expect(update.Key).toEqual({ pk: { S: 'ORDER#1' }, sk: { S: 'OUTBOX#order-1' } });
    expect(update.ConditionExpression).toBeUndefined();
    expect(update.UpdateExpression).toMatch(/^SET #sequence = if_not_exists\(#sequence, :none\) \+ :one, /);
    expect(imageAfter(prepared.input.TransactItems![1], 4)).toEqual({
      pk: { S: 'ORDER#1' },
      sk: { S: 'OUTBOX#order-1' },
      outboxSequence: { N: '5' },
      outboxEventId: { S: published.metadata.eventId },
      outboxDetailType: { S: 'OrderPlaced' },
      outboxOccurredAt: { S: '2024-05-01T12:00:00.000Z' },
      outboxAggregateId: { S: 'order-1' },
      outboxDetail: { S: '{"orderId":"order-1","total":42}' },
      expiresAt: { N: String(NOW / 1000 + 3600) },
    });
    // The sequence is DynamoDB's to assign at commit: the writer does not claim one.
    expect(published).toEqual({
      metadata: { eventId: published.metadata.eventId, source: 'com.example.orders', detailType: 'OrderPlaced', occurredAt: '2024-05-01T12:00:00.000Z', aggregateId: 'order-1' },
      data: { orderId: 'order-1', total: 42 },
    });
  });

  test('expectedSequence: conditional on it (0: no outbox item yet), and the event knows its sequence', () => {
    const first = accepted({ events: [event({ expectedSequence: 0 })] });
    expect(first.input.TransactItems![0].Update!.ConditionExpression).toBe('attribute_not_exists(#sequence)');
    expect(first.events[0].metadata.sequence).toBe(1);
    const later = accepted({ events: [event({ expectedSequence: 41 })] });
    expect(later.input.TransactItems![0].Update!).toMatchObject({ ConditionExpression: '#sequence = :expected', ExpressionAttributeValues: { ':expected': { N: '41' } } });
    expect(later.events[0].metadata.sequence).toBe(42);
  });

  test('a table without a sort key: the outbox item of the aggregate has a partition of its own', () => {
    const prepared = accepted({ events: [event()] }, { sortKey: null, partitionKey: 'id' });
    expect(prepared.input.TransactItems![0].Update!.Key).toEqual({ id: { S: 'OUTBOX#order-1' } });
  });

  test('a given event id and time are kept, so another process can rebuild the identical request', () => {
    const fixed = { eventId: '01HX0000000000000000000000', occurredAt: new Date('2024-01-01T00:00:00Z') };
    const a = accepted({ events: [event(fixed)], clientRequestToken: 'cmd-1' });
    const b = accepted({ events: [event(fixed)], clientRequestToken: 'cmd-1' });
    expect(a.input).toEqual(b.input);
  });
});
