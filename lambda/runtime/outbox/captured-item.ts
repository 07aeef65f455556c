/**
 * Change capture: how the pipe enrichment turns an item's stream record into the event the target receives. The item
 * was written once (PutItem or UpdateItem, no outbox row); its new image, reduced to the captured attributes, is the
 * event's `data`, and the envelope's metadata says which item, which change and which of the item's versions it is.
 *
 * DynamoDB JSON to JSON, as documented in the README:
 * - S, BOOL, NULL, M, L: string, boolean, null, object, array;
 * - N: a JSON number when it has at most 15 significant digits (every such decimal survives a double exactly, so the
 *   consumer's JSON.parse gives back the stored value); longer numbers (DynamoDB keeps up to 38 digits) arrive as their
 *   decimal string, never rounded;
 * - SS, NS, BS: arrays (of strings; of numbers as above; of base64 strings); B: its base64 string, as the stream carries it.
 */
import { isJsonObject, OutboxEventMetadata, PublishedOutboxEvent } from './published-event';
import { OUTBOX_CAPTURE_ENV, OUTBOX_CAPTURED_CHANGES } from '../../../lib/transactional-outbox/contract';

/** A DynamoDB attribute value as the stream record carries it (JSON). */
export interface StreamAttributeValue {
  readonly S?: string;
  readonly N?: string;
  readonly B?: string;
  readonly BOOL?: boolean;
  readonly NULL?: boolean;
  readonly M?: Record<string, StreamAttributeValue>;
  readonly L?: StreamAttributeValue[];
  readonly SS?: string[];
  readonly NS?: string[];
  readonly BS?: string[];
}

/** The parts of a DynamoDB stream record (as Pipes delivers it) the capture enrichment reads. */
export interface CapturedStreamRecord {
  readonly eventID?: string;
  readonly eventName?: string;
  readonly dynamodb?: {
    readonly NewImage?: Record<string, StreamAttributeValue>;
    /** Epoch seconds. */
    readonly ApproximateCreationDateTime?: number;
  };
}

/** Which item changed, how, and which of its versions the event carries. */
export interface CapturedItemMetadata extends OutboxEventMetadata {
  /** The item's sequence attribute: 1 for its first write, one more for each later write. Counts per item. */
  readonly sequence: number;
  /** INSERT (the item was created) or MODIFY (it was changed). */
  readonly change: string;
  /** The item's key attributes (strings): the sequence counts per key. */
  readonly key: Record<string, string>;
}

/** The envelope the target receives for a captured change. */
export interface PublishedCapturedItem<TData = Record<string, unknown>> extends PublishedOutboxEvent<TData> {
  readonly metadata: CapturedItemMetadata;
}

/** What the capture enrichment returns per change: the envelope, and what the target's dynamic parameters read. */
export interface CapturedItemDelivery extends PublishedCapturedItem {
  readonly eventID: string;
  readonly dynamodb: { readonly NewImage: Record<string, { readonly S: string }> };
}

/** What the capture enrichment reads from its environment (set by the construct). */
export interface CaptureSettings {
  readonly source: string;
  readonly attributes: readonly string[];
  readonly typeAttribute: string;
  readonly aggregateIdAttribute: string;
  readonly sequenceAttribute: string;
  readonly keyAttributes: readonly string[];
}

/** An item of a captured type whose change cannot be published (no sequence, no aggregate id...). */
export class MalformedCapturedItemError extends Error {
  constructor(reason: string) {
    super(`captured item change cannot be published: ${reason}`);
    this.name = 'MalformedCapturedItemError';
  }
}

/** The settings from the environment the construct gives the enrichment. */
export function captureSettingsFrom(env: Record<string, string | undefined>, source: string): CaptureSettings {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`outbox capture: environment variable ${name} is not set`);
    return value;
  };
  const names = (name: string) => {
    const value: unknown = JSON.parse(required(name));
    if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw new Error(`outbox capture: ${name} is not a JSON array of strings`);
    return value as string[];
  };
  return {
    source,
    attributes: names(OUTBOX_CAPTURE_ENV.ATTRIBUTES),
    typeAttribute: required(OUTBOX_CAPTURE_ENV.TYPE_ATTRIBUTE),
    aggregateIdAttribute: required(OUTBOX_CAPTURE_ENV.AGGREGATE_ID_ATTRIBUTE),
    sequenceAttribute: required(OUTBOX_CAPTURE_ENV.SEQUENCE_ATTRIBUTE),
    keyAttributes: names(OUTBOX_CAPTURE_ENV.KEY_ATTRIBUTES),
  };
}

/**
 * The delivery for a creation or change of a captured item; `undefined` for anything else (a deletion, an item
 * without a type: the pipe's filter already drops those).
 * @throws MalformedCapturedItemError for a captured item without a string aggregate id, string keys or a valid sequence
 */
export function capturedItemDeliveryFrom(record: CapturedStreamRecord, settings: CaptureSettings): CapturedItemDelivery | undefined {
  const image = record.dynamodb?.NewImage;
  const type = image?.[settings.typeAttribute]?.S;
  if (!(OUTBOX_CAPTURED_CHANGES as readonly string[]).includes(record.eventName ?? '') || image === undefined || !type) return undefined;
  const eventId = record.eventID;
  if (!eventId) throw new MalformedCapturedItemError('the stream record has no eventID');
  const key: Record<string, string> = {};
  for (const name of settings.keyAttributes) {
    const value = image[name]?.S;
    if (value === undefined) throw new MalformedCapturedItemError(`record ${eventId}: key attribute ${name} is not a string`);
    key[name] = value;
  }
  const aggregateId = image[settings.aggregateIdAttribute]?.S;
  if (!aggregateId) {
    throw new MalformedCapturedItemError(`record ${eventId}: aggregate id attribute ${settings.aggregateIdAttribute} is not a non-empty string`);
  }
  const sequenceText = image[settings.sequenceAttribute]?.N;
  const sequence = Number(sequenceText);
  if (sequenceText === undefined || !Number.isSafeInteger(sequence) || sequence < 1) {
    throw new MalformedCapturedItemError(`record ${eventId}: sequence attribute ${settings.sequenceAttribute} is ` +
      `${sequenceText === undefined ? 'missing or not a number' : sequenceText}; every write must set it to 1 or increment it by 1`);
  }
  const seconds = record.dynamodb?.ApproximateCreationDateTime;
  if (typeof seconds !== 'number') throw new MalformedCapturedItemError(`record ${eventId}: no ApproximateCreationDateTime`);
  const data: Record<string, unknown> = {};
  for (const name of settings.attributes) {
    const value = image[name];
    if (value !== undefined) data[name] = jsonOf(value);
  }
  return {
    eventID: eventId,
    dynamodb: { NewImage: { [settings.typeAttribute]: { S: type }, [settings.aggregateIdAttribute]: { S: aggregateId } } },
    metadata: {
      eventId,
      source: settings.source,
      detailType: type,
      // The stream gives the write's time in whole seconds.
      occurredAt: new Date(seconds * 1000).toISOString(),
      aggregateId,
      sequence,
      change: record.eventName!,
      key,
    },
    data,
  };
}

/** The JSON form of a DynamoDB attribute value (the mapping in this module's comment). */
export function jsonOf(value: StreamAttributeValue): unknown {
  if (value.S !== undefined) return value.S;
  if (value.N !== undefined) return numberOf(value.N);
  if (value.BOOL !== undefined) return value.BOOL;
  if (value.NULL !== undefined) return null;
  if (value.B !== undefined) return value.B;
  if (value.M !== undefined) return Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, jsonOf(v)]));
  if (value.L !== undefined) return value.L.map(jsonOf);
  if (value.SS !== undefined) return [...value.SS];
  if (value.NS !== undefined) return value.NS.map(numberOf);
  if (value.BS !== undefined) return [...value.BS];
  throw new MalformedCapturedItemError(`unknown attribute value type ${Object.keys(value).join(', ')}`);
}

/** Significant digits of a DynamoDB number's decimal text (leading and trailing zeros do not count). */
export function significantDigits(text: string): number {
  const mantissa = text.replace(/^[+-]/, '').replace(/[eE].*$/, '').replace('.', '');
  const trimmed = mantissa.replace(/^0+/, '').replace(/0+$/, '');
  return trimmed.length;
}

/** Doubles carry any decimal of up to 15 significant digits exactly through text (DBL_DIG, IEEE 754 binary64). */
const EXACT_DIGITS = 15;

function numberOf(text: string): number | string {
  return significantDigits(text) <= EXACT_DIGITS ? Number(text) : text;
}

/** Whether `value` is a captured-item envelope (it has a numeric sequence and a change). */
export function isCapturedItem(value: PublishedOutboxEvent): value is PublishedCapturedItem {
  const metadata = value.metadata as unknown as Record<string, unknown>;
  return typeof metadata.sequence === 'number' && typeof metadata.change === 'string' && isJsonObject(metadata.key);
}
