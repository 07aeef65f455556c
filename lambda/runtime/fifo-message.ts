/**
 * What a message for an SNS FIFO topic looks like, the limits SNS enforces on it, and how it is turned into the
 * fields of a Publish request. Kept apart from the publisher so the rules can be read (and tested) in one place.
 */
import type { MessageAttributeValue } from '@aws-sdk/client-sns';
import { EVENT_TYPE_ATTRIBUTE } from '../../lib/fifo-fanout/contract';

/** SNS limit on `MessageGroupId` and `MessageDeduplicationId` length. */
export const FIFO_ID_MAX_LENGTH = 128;

/**
 * Default maximum size of one message, body plus attributes, in bytes (256 KiB). It is also the default limit on the
 * summed size of all messages in one `PublishBatch` request.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 262_144;

/** The largest `MaximumMessageSize` an SNS topic can be configured with (1 MiB). */
export const MAX_CONFIGURABLE_MESSAGE_BYTES = 1_048_576;

/**
 * Most message attributes a message may carry. SNS discards messages with more than 10 attributes instead of
 * delivering them to SQS subscriptions with raw message delivery, which is how FifoFanout subscribes its queues.
 */
export const MAX_MESSAGE_ATTRIBUTES = 10;

/** Name of the message attribute that carries `FifoMessage.eventType`, for filter policies and consumers. */
export { EVENT_TYPE_ATTRIBUTE };

const FIFO_ID_PATTERN = /^[\x21-\x7E]+$/; // alphanumerics and the 32 ASCII punctuation characters SNS allows
const ATTRIBUTE_NAME_MAX_LENGTH = 256;
const ATTRIBUTE_NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
const RESERVED_ATTRIBUTE_PREFIX = /^(aws|amazon)\./i;
const FIFO_TOPIC_ARN_PATTERN = /^arn:[a-z0-9-]+:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,251}\.fifo$/;

/** A message attribute value: strings become `String`, numbers `Number`, string arrays `String.Array`. */
export type FifoMessageAttributeValue = string | number | string[];

/** One event to publish to an SNS FIFO topic. */
export interface FifoMessage {
  /**
   * Messages with the same group id are delivered in publish order; different groups are independent.
   * Typically the id of the entity the event is about (e.g. the job id). At most 128 characters, alphanumerics and
   * ASCII punctuation only.
   */
  readonly messageGroupId: string;
  /**
   * SNS and SQS drop a message whose deduplication id was already seen within 5 minutes. Derive it from the event
   * (e.g. its event id), never from the time of the attempt, so a retried publish is recognised as a duplicate.
   * Same length and character rules as `messageGroupId`.
   */
  readonly deduplicationId: string;
  /** Sent as the `eventType` String message attribute, so subscriptions can filter on it without parsing bodies. */
  readonly eventType: string;
  /** The message body, serialised with `JSON.stringify`. */
  readonly detail: unknown;
  /**
   * Extra message attributes for filter policies. `eventType` is added for you and cannot be set here; together
   * with it at most 10 attributes are allowed.
   * @default - only `eventType`
   */
  readonly attributes?: Record<string, FifoMessageAttributeValue>;
}

/**
 * Thrown before anything is sent when a message or publisher setting breaks an SNS FIFO rule. `field` names the
 * offending input (e.g. `messages[3].messageGroupId`) and `reason` says which rule it broke.
 */
export class FifoPublishValidationError extends Error {
  /** The input that is invalid, as a property path. */
  public readonly field: string;
  /** Which rule the value broke, in words. */
  public readonly reason: string;

  constructor(field: string, reason: string) {
    super(`Invalid ${field}: ${reason}`);
    this.name = 'FifoPublishValidationError';
    this.field = field;
    this.reason = reason;
  }
}

/** The message fields of a `Publish` request or `PublishBatch` entry. */
export interface FifoRequestFields {
  /** The JSON body. */
  readonly Message: string;
  /** Copied from `FifoMessage.messageGroupId`. */
  readonly MessageGroupId: string;
  /** Copied from `FifoMessage.deduplicationId`. */
  readonly MessageDeduplicationId: string;
  /** `eventType` plus `FifoMessage.attributes`, typed for SNS. */
  readonly MessageAttributes: Record<string, MessageAttributeValue>;
}

/** A validated message: its request fields and the size SNS will count for it. */
export interface EncodedFifoMessage {
  /** Fields to spread into a `PublishCommand` input or a `PublishBatch` entry. */
  readonly fields: FifoRequestFields;
  /** Body plus attribute names, types and values, in UTF-8 bytes: what SNS counts against the size limit. */
  readonly sizeInBytes: number;
}

/** Throws {@link FifoPublishValidationError} unless `topicArn` is the ARN of an SNS FIFO topic. */
export function validateFifoTopicArn(topicArn: string): void {
  if (typeof topicArn !== 'string' || topicArn.length === 0) {
    throw new FifoPublishValidationError('topicArn', 'is required');
  }
  if (!topicArn.endsWith('.fifo')) {
    throw new FifoPublishValidationError('topicArn', `must be a FIFO topic (name ending in ".fifo"), got "${topicArn}"`);
  }
  if (!FIFO_TOPIC_ARN_PATTERN.test(topicArn)) {
    throw new FifoPublishValidationError('topicArn', `is not an SNS topic ARN (arn:<partition>:sns:<region>:<account>:<name>.fifo), got "${topicArn}"`);
  }
}

/**
 * Validates a message against the SNS FIFO rules and returns the request fields for it.
 *
 * @param path prefix for error field names, e.g. `messages[3]` inside a batch
 * @throws FifoPublishValidationError naming the first field that breaks a rule
 */
export function encodeFifoMessage(message: FifoMessage, maxMessageBytes: number, path?: string): EncodedFifoMessage {
  const field = (name: string) => (path ? `${path}.${name}` : name);
  if (message === null || typeof message !== 'object') {
    throw new FifoPublishValidationError(path ?? 'message', 'must be an object');
  }
  validateFifoId(message.messageGroupId, field('messageGroupId'));
  validateFifoId(message.deduplicationId, field('deduplicationId'));
  if (typeof message.eventType !== 'string' || message.eventType.length === 0) {
    throw new FifoPublishValidationError(field('eventType'), 'is required (a non-empty string)');
  }

  const body = serialiseDetail(message.detail, field('detail'));
  const attributes = encodeAttributes(message.eventType, message.attributes, field('attributes'));
  const sizeInBytes = Buffer.byteLength(body, 'utf8') + attributesSize(attributes);
  if (sizeInBytes > maxMessageBytes) {
    throw new FifoPublishValidationError(
      path ?? 'message',
      `is ${sizeInBytes} bytes including message attributes, over the ${maxMessageBytes}-byte limit`,
    );
  }
  return {
    fields: {
      Message: body,
      MessageGroupId: message.messageGroupId,
      MessageDeduplicationId: message.deduplicationId,
      MessageAttributes: attributes,
    },
    sizeInBytes,
  };
}

function validateFifoId(value: unknown, field: string): void {
  if (typeof value !== 'string' || value.length === 0) {
    throw new FifoPublishValidationError(field, 'is required on FIFO topics (a non-empty string)');
  }
  if (value.length > FIFO_ID_MAX_LENGTH) {
    throw new FifoPublishValidationError(field, `must be at most ${FIFO_ID_MAX_LENGTH} characters, got ${value.length}`);
  }
  if (!FIFO_ID_PATTERN.test(value)) {
    throw new FifoPublishValidationError(
      field,
      'may contain only alphanumerics and ASCII punctuation (!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~), no spaces or other characters',
    );
  }
}

function serialiseDetail(detail: unknown, field: string): string {
  let body: string | undefined;
  try {
    body = JSON.stringify(detail);
  } catch (error) {
    throw new FifoPublishValidationError(field, `cannot be serialised to JSON: ${(error as Error).message}`);
  }
  // JSON.stringify returns undefined (not a string) for undefined, functions and symbols.
  if (body === undefined) {
    throw new FifoPublishValidationError(field, 'must be a JSON-serialisable value (got undefined, a function or a symbol)');
  }
  return body;
}

function encodeAttributes(
  eventType: string,
  attributes: Record<string, FifoMessageAttributeValue> | undefined,
  path: string,
): Record<string, MessageAttributeValue> {
  const encoded: Record<string, MessageAttributeValue> = {
    [EVENT_TYPE_ATTRIBUTE]: { DataType: 'String', StringValue: eventType },
  };
  for (const [name, value] of Object.entries(attributes ?? {})) {
    const field = `${path}.${name}`;
    if (name === EVENT_TYPE_ATTRIBUTE) {
      throw new FifoPublishValidationError(field, "is set from the message's eventType; do not pass it in attributes");
    }
    validateAttributeName(name, field);
    encoded[name] = encodeAttributeValue(value, field);
  }
  const count = Object.keys(encoded).length;
  if (count > MAX_MESSAGE_ATTRIBUTES) {
    throw new FifoPublishValidationError(
      path,
      `at most ${MAX_MESSAGE_ATTRIBUTES} message attributes including eventType are delivered to SQS with raw message delivery, got ${count}`,
    );
  }
  return encoded;
}

function validateAttributeName(name: string, field: string): void {
  if (name.length > ATTRIBUTE_NAME_MAX_LENGTH) {
    throw new FifoPublishValidationError(field, `attribute names must be at most ${ATTRIBUTE_NAME_MAX_LENGTH} characters`);
  }
  if (!ATTRIBUTE_NAME_PATTERN.test(name)) {
    throw new FifoPublishValidationError(field, 'attribute names may contain only alphanumerics, "-", "_" and "."');
  }
  if (name.startsWith('.') || name.endsWith('.') || name.includes('..')) {
    throw new FifoPublishValidationError(field, 'attribute names cannot start or end with "." or contain ".."');
  }
  if (RESERVED_ATTRIBUTE_PREFIX.test(name)) {
    throw new FifoPublishValidationError(field, 'attribute names starting with "AWS." or "Amazon." are reserved');
  }
}

function encodeAttributeValue(value: FifoMessageAttributeValue, field: string): MessageAttributeValue {
  if (typeof value === 'string') {
    if (value.length === 0) throw new FifoPublishValidationError(field, 'SNS rejects empty attribute values');
    return { DataType: 'String', StringValue: value };
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new FifoPublishValidationError(field, `must be a finite number, got ${value}`);
    return { DataType: 'Number', StringValue: String(value) };
  }
  if (Array.isArray(value)) {
    if (!value.every((item) => typeof item === 'string')) {
      throw new FifoPublishValidationError(field, 'arrays must contain only strings');
    }
    return { DataType: 'String.Array', StringValue: JSON.stringify(value) };
  }
  throw new FifoPublishValidationError(field, `must be a string, a number or an array of strings, got ${typeof value}`);
}

function attributesSize(attributes: Record<string, MessageAttributeValue>): number {
  let size = 0;
  for (const [name, value] of Object.entries(attributes)) {
    size += Buffer.byteLength(name, 'utf8')
      + Buffer.byteLength(value.DataType ?? '', 'utf8')
      + Buffer.byteLength(value.StringValue ?? '', 'utf8');
  }
  return size;
}
