import {
  capturedItemDeliveryFrom, CaptureSettings, isCapturedItem, jsonOf, MalformedCapturedItemError, significantDigits,
} from '../../../../lambda/runtime/outbox/captured-item';
import { eventEntryBytes } from '../../../../lambda/runtime/outbox/sizes';
import { maxOutboxEventBytes, OutboxTarget } from '../../../../lib/transactional-outbox/contract';

const settings: CaptureSettings = {
  source: 'com.example.orders',
  attributes: ['status', 'total', 'tags'],
  typeAttribute: 'type',
  aggregateIdAttribute: 'pk',
  sequenceAttribute: 'version',
  keyAttributes: ['pk', 'sk'],
  target: OutboxTarget.FIFO_QUEUE,
  batchSize: 10,
};
const record = (image: Record<string, unknown>, eventName = 'MODIFY') => ({
  eventID: 'e-1', eventName, dynamodb: { ApproximateCreationDateTime: 1_700_000_000, NewImage: image as any },
});
const order = { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' }, type: { S: 'Order' }, version: { N: '3' }, status: { S: 'PAID' }, secret: { S: 'x' } };

test('the event: captured attributes only, the sequence, the change, the key, the write time', () => {
  const delivery = capturedItemDeliveryFrom(record(order), settings)!;
  expect(delivery.data).toEqual({ status: 'PAID' });
  expect(delivery.metadata).toEqual({
    eventId: 'e-1',
    source: 'com.example.orders',
    detailType: 'Order',
    occurredAt: '2023-11-14T22:13:20.000Z',
    aggregateId: 'ORDER#1',
    sequence: 3,
    change: 'MODIFY',
    key: { pk: 'ORDER#1', sk: 'ORDER' },
  });
  expect(delivery.dynamodb.NewImage).toEqual({ type: { S: 'Order' }, pk: { S: 'ORDER#1' } });
  expect(isCapturedItem(delivery)).toBe(true);
});

test('deletions and untyped items are not events', () => {
  expect(capturedItemDeliveryFrom(record(order, 'REMOVE'), settings)).toBeUndefined();
  expect(capturedItemDeliveryFrom(record({ ...order, type: undefined }), settings)).toBeUndefined();
});

test.each([
  ['no sequence', { ...order, version: undefined }, /version is missing/],
  ['sequence 0', { ...order, version: { N: '0' } }, /version is 0/],
  ['fractional sequence', { ...order, version: { N: '1.5' } }, /version is 1\.5/],
  ['aggregate id not a string', { ...order, pk: { N: '1' } }, /key attribute pk is not a string/],
])('a captured item with %s cannot be published', (_name, image, message) => {
  expect(() => capturedItemDeliveryFrom(record(image), settings)).toThrow(MalformedCapturedItemError);
  expect(() => capturedItemDeliveryFrom(record(image), settings)).toThrow(message);
});

test('DynamoDB JSON to JSON: numbers a double carries exactly become numbers, longer ones their decimal string', () => {
  expect(jsonOf({ N: '123456789012345' })).toBe(123456789012345);
  expect(jsonOf({ N: '0.000000000000001' })).toBe(1e-15);
  expect(jsonOf({ N: '1234567890123456' })).toBe('1234567890123456');
  expect(jsonOf({ N: '12345678901234567890123456789012345678' })).toBe('12345678901234567890123456789012345678');
  expect(jsonOf({ M: { a: { L: [{ NULL: true }, { BOOL: false }, { SS: ['x'] }, { NS: ['1', '2.5'] }, { B: 'AQI=' }] } } }))
    .toEqual({ a: [null, false, ['x'], [1, 2.5], 'AQI='] });
  expect(significantDigits('-000120.0500')).toBe(5);
  expect(() => jsonOf({} as any)).toThrow(/unknown attribute value type/);
});

describe.each([
  [OutboxTarget.FIFO_QUEUE, 10],
  [OutboxTarget.FIFO_QUEUE, 3],
  [OutboxTarget.EVENT_BUS, 10],
  [OutboxTarget.EVENT_BUS, 1],
])('the per-event cap of target %s with batches of %d', (target, batchSize) => {
  const capped = { ...settings, target, batchSize };
  const cap = maxOutboxEventBytes(target, batchSize);
  /** The event's size as the target counts it, computed independently of the enrichment's own helper. */
  const counted = (delivery: { metadata: unknown; data: unknown; eventID: string }) => {
    const body = JSON.stringify({ metadata: delivery.metadata, data: delivery.data });
    return target === OutboxTarget.FIFO_QUEUE ? Buffer.byteLength(body, 'utf8')
      : eventEntryBytes({ source: settings.source, detailType: 'Order', detail: body, resources: [delivery.eventID], hasTime: true });
  };
  // 'é' is two UTF-8 bytes: the cap is in bytes, not characters.
  const withStatus = (status: string) => record({ ...order, status: { S: status } });
  const base = counted(capturedItemDeliveryFrom(withStatus(''), capped)!);

  test('an event of exactly the cap is delivered', () => {
    const fill = cap - base;
    const status = 'é'.repeat(Math.floor(fill / 2)) + 'x'.repeat(fill % 2);
    const delivery = capturedItemDeliveryFrom(withStatus(status), capped)!;
    expect(counted(delivery)).toBe(cap);
  });

  test('one byte over the cap: the change is unpublishable, as too large for the target\'s request', () => {
    const fill = cap - base + 1;
    const status = 'é'.repeat(Math.floor(fill / 2)) + 'x'.repeat(fill % 2);
    expect(() => capturedItemDeliveryFrom(withStatus(status), capped)).toThrow(MalformedCapturedItemError);
    expect(() => capturedItemDeliveryFrom(withStatus(status), capped)).toThrow(`is ${cap + 1} bytes, too large for the target's request`);
  });
});
