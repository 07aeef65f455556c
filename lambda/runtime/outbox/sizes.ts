/**
 * Sizes the services count, computed the way their documentation defines them, so the writer can refuse a
 * transaction before sending it instead of failing halfway through a request.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { OutboxTarget } from '../../../lib/transactional-outbox/contract';

/** DynamoDB's size of one attribute value ("Item sizes and formats", DynamoDB developer guide). */
export function attributeValueBytes(value: AttributeValue): number {
  if (value.S !== undefined) return utf8Bytes(value.S);
  if (value.N !== undefined) return numberBytes(value.N);
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return sum(value.SS.map(utf8Bytes));
  if (value.NS !== undefined) return sum(value.NS.map(numberBytes));
  if (value.BS !== undefined) return sum(value.BS.map((b) => b.byteLength));
  // Lists and maps: 3 bytes of overhead, plus 1 byte per element.
  if (value.L !== undefined) return 3 + sum(value.L.map((element) => 1 + attributeValueBytes(element)));
  if (value.M !== undefined) return 3 + sum(Object.entries(value.M).map(([name, element]) => 1 + utf8Bytes(name) + attributeValueBytes(element)));
  throw new Error(`unsupported attribute value: ${Object.keys(value).join(', ') || 'empty'}`);
}

/** DynamoDB's size of an item (or of a key, or of expression attribute values): names plus values. */
export function itemBytes(item: Record<string, AttributeValue>): number {
  return sum(Object.entries(item).map(([name, value]) => utf8Bytes(name) + attributeValueBytes(value)));
}

/** The parts of an EventBridge PutEvents entry that count towards its size. */
export interface EventEntryParts {
  readonly source: string;
  readonly detailType: string;
  /** The detail as JSON text. */
  readonly detail: string;
  readonly resources: readonly string[];
  /** Whether the entry sets `Time` (it counts 14 bytes). */
  readonly hasTime: boolean;
}

/** EventBridge's size of a PutEvents entry ("Calculating PutEvents event entry size", EventBridge user guide). */
export function eventEntryBytes(entry: EventEntryParts): number {
  return (entry.hasTime ? 14 : 0) + utf8Bytes(entry.source) + utf8Bytes(entry.detailType) + utf8Bytes(entry.detail) +
    sum(entry.resources.map(utf8Bytes));
}

/** The event as its target counts it. */
export interface DeliveredEventParts {
  readonly target: OutboxTarget;
  readonly source: string;
  readonly detailType: string;
  /** The envelope's JSON text: the bus event's detail, or the queue message's body. */
  readonly envelope: string;
  /** The bus event's one resource (the event id). */
  readonly resource: string;
}

/**
 * The size the target counts: the message body for a FIFO queue, the PutEvents entry for a bus (counted with `Time`,
 * the larger of the two cases, as the pipe's request is not ours to see).
 */
export function deliveredEventBytes(event: DeliveredEventParts): number {
  if (event.target === OutboxTarget.FIFO_QUEUE) return utf8Bytes(event.envelope);
  return eventEntryBytes({ source: event.source, detailType: event.detailType, detail: event.envelope, resources: [event.resource], hasTime: true });
}

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The size of a number. The guide ("DynamoDB item sizes and formats",
 * https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/CapacityUnitCalculations.html) gives it as
 * "approximately (1 byte per two significant digits) + (1 byte)", with leading and trailing zeros trimmed. Exactly,
 * as DynamoDB Local measures it at the 400 KB boundary (sizes.dynamodb.test.ts): the digits are stored in pairs
 * aligned on the decimal point (1.5 is the pairs 01|50: 3 bytes, not 2), plus one byte, plus one more for a negative
 * number with fewer than 20 pairs (a terminator); zero is 1 byte.
 */
function numberBytes(text: string): number {
  const parts = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
  if (!parts || (parts[2] === '' && (parts[3] ?? '') === '')) throw new Error(`not a DynamoDB number: ${text}`);
  const [, sign, integer, fraction = '', exponent = '0'] = parts;
  let digits = integer + fraction;
  // Digits before the decimal point, once leading zeros are gone.
  let pointAt = integer.length + Number(exponent);
  const leadingZeros = /^0*/.exec(digits)![0].length;
  digits = digits.slice(leadingZeros).replace(/0+$/, '');
  pointAt -= leadingZeros;
  if (digits === '') return 1;
  const pairs = Math.ceil((Math.abs(pointAt % 2) + digits.length) / 2);
  return pairs + 1 + (sign === '-' && pairs < 20 ? 1 : 0);
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
