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
import { deliveredEventBytes } from './sizes';
import {
  maxOutboxEventBytes, OUTBOX_CAPTURE_ENV, OUTBOX_CAPTURED_CHANGES, OUTBOX_DEFAULTS, OUTBOX_ENV, OUTBOX_LIMITS, outboxRequestByteLimit, OutboxTarget,
} from '../../../lib/transactional-outbox/contract';

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
    readonly Keys?: Record<string, StreamAttributeValue>;
    readonly SequenceNumber?: string;
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
  /** The target: with the batch size it decides the largest event (see maxOutboxEventBytes in the contract). */
  readonly target: OutboxTarget;
  /** The pipe's batch size. */
  readonly batchSize: number;
}

/**
 * An item of a captured type whose change cannot be published (no sequence, no aggregate id, an event too large for
 * the target's request...). The capture enrichment sets it aside (see OUTBOX_MALFORMED in the contract).
 */
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
    target: targetOf(env[OUTBOX_ENV.TARGET] ?? OUTBOX_DEFAULTS.target),
    batchSize: batchSizeOf(env[OUTBOX_ENV.BATCH_SIZE] ?? String(OUTBOX_DEFAULTS.batchSize)),
  };
}

function targetOf(text: string): OutboxTarget {
  if (!(Object.values(OutboxTarget) as string[]).includes(text)) {
    throw new Error(`outbox capture: ${OUTBOX_ENV.TARGET} '${text}' is not one of ${Object.values(OutboxTarget).join(', ')}`);
  }
  return text as OutboxTarget;
}

function batchSizeOf(text: string): number {
  const size = Number(text);
  if (!Number.isInteger(size) || size < 1 || size > OUTBOX_LIMITS.maxBatchSize) {
    throw new Error(`outbox capture: ${OUTBOX_ENV.BATCH_SIZE} must be a whole number from 1 to ${OUTBOX_LIMITS.maxBatchSize}, got '${text}'`);
  }
  return size;
}

/**
 * The delivery for a creation or change of a captured item; `undefined` for anything else (a deletion, an item
 * without a type: the pipe's filter already drops those).
 * @throws MalformedCapturedItemError for a captured item without a string aggregate id, string keys or a valid sequence,
 * or whose event is over the per-event cap of the target and batch size (nothing refused it before it was written)
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
  const delivery: CapturedItemDelivery = {
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
  checkDeliveredSize(delivery, settings);
  return delivery;
}

/** How the reason of an oversized event reads (set-aside message, log line). */
export const OVERSIZED_REASON = 'too large for the target\'s request';

/**
 * Pipes sends a batch as one request, and the target limits the request: an event over the per-event cap could make
 * the batch's request too large, and the whole batch would fail. In capture mode the item is written without a
 * writer that could refuse it before commit (an API Gateway service integration writes straight to the table), so the
 * enrichment checks each event as the target counts it and sets an oversized one aside.
 */
function checkDeliveredSize(delivery: CapturedItemDelivery, settings: CaptureSettings): void {
  const { metadata, data } = delivery;
  const bytes = deliveredEventBytes({
    target: settings.target,
    source: settings.source,
    detailType: metadata.detailType,
    envelope: JSON.stringify({ metadata, data }),
    resource: delivery.eventID,
  });
  const cap = maxOutboxEventBytes(settings.target, settings.batchSize);
  if (bytes > cap) {
    throw new MalformedCapturedItemError(`record ${delivery.eventID}: the event is ${bytes} bytes, ${OVERSIZED_REASON} ` +
      `(at most ${cap} bytes per event: ${outboxRequestByteLimit(settings.target)} bytes per request, shared by a batch of ${settings.batchSize})`);
  }
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
