/**
 * Sizes the services count, computed the way their documentation defines them, so the writer can refuse a
 * transaction before sending it instead of failing halfway through a request.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

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

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * "Numbers are variable length, with up to 38 significant digits. Leading and trailing zeroes are trimmed. The size
 * of a number is approximately (1 byte per two significant digits) + (1 byte)." A sign adds one more byte.
 */
function numberBytes(text: string): number {
  const [mantissa] = text.trim().toLowerCase().split('e');
  const digits = mantissa.replace(/[^0-9]/g, '').replace(/^0+/, '').replace(/0+$/, '');
  const sign = mantissa.startsWith('-') ? 1 : 0;
  return Math.ceil(Math.max(digits.length, 1) / 2) + 1 + sign;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
