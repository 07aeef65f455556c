/**
 * Turns one SQS message that an EventBridge rule target delivered into a typed record for business code.
 */
import type { EventBridgeEvent, SQSRecord } from 'aws-lambda';
import { BufferedEventInput } from '../../lib/buffered-consumer/contract';

/**
 * What an EventBridge rule puts in the SQS message body: `WHOLE_EVENT` (the rule target's default input, so the
 * event `id`, `source` and `detail-type` travel with the message) or `DETAIL` (the target's input path is
 * `$.detail`; the envelope is gone). The same enum as the BufferedEventConsumer's `input` prop.
 */
export { BufferedEventInput } from '../../lib/buffered-consumer/contract';

/**
 * One SQS message from an EventBridge rule, parsed for the business handler.
 *
 * `TDetail` is a compile-time promise only: the detail is parsed JSON and is not validated against it.
 */
export interface EventRecord<TDetail = unknown> {
  /** The whole EventBridge event; `undefined` when the body holds only the detail. */
  readonly event?: EventBridgeEvent<string, TDetail>;
  /** The event's `detail`, or the whole body when the body holds only the detail. */
  readonly detail: TDetail;
  /** The event's `detail-type`; `undefined` when the body holds only the detail. */
  readonly detailType?: string;
  /** The event's `source`; `undefined` when the body holds only the detail. */
  readonly source?: string;
  /** The SQS message id: unique per SQS message, so two copies of one event have different ids. */
  readonly messageId: string;
  /** The SQS record exactly as Lambda delivered it (attributes, receive count, body text). */
  readonly raw: SQSRecord;
}

/**
 * A message whose body this runtime cannot turn into an {@link EventRecord}.
 *
 * It fails only its own record: the rest of the batch goes on, and after the queue's `maxReceiveCount` the message
 * lands in the queue's DLQ where it can be inspected.
 */
export class MalformedMessageError extends Error {
  /** The SQS message id of the message that could not be parsed. */
  public readonly messageId: string;

  constructor(messageId: string, reason: string, options?: { cause?: unknown }) {
    super(`SQS message ${messageId}: ${reason}`, options);
    this.name = 'MalformedMessageError';
    this.messageId = messageId;
  }
}

/**
 * Parses the body of an SQS message delivered by an EventBridge rule target.
 *
 * @param raw the SQS record from the Lambda event
 * @param input whether the body is the whole event or only its detail
 * @param bodyField the field of the body that holds the event (or detail), for bodies a FIFO ingest pipe wrapped
 * @throws MalformedMessageError when the body is not JSON, or is not an EventBridge event although `input` says
 *   it is (usually a rule target whose input was changed to `$.detail` without telling the consumer)
 */
export function parseEventRecord<TDetail = unknown>(raw: SQSRecord, input: BufferedEventInput, bodyField?: string): EventRecord<TDetail> {
  let body: unknown;
  try {
    body = JSON.parse(raw.body);
  } catch (error) {
    throw new MalformedMessageError(raw.messageId, 'body is not JSON', { cause: error });
  }
  if (bodyField !== undefined) {
    // A FIFO buffer's ingest pipe wraps what the rule sent in a JSON object (see FIFO_INGEST_BODY_FIELD).
    if (typeof body !== 'object' || body === null || Array.isArray(body) || !(bodyField in body)) {
      throw new MalformedMessageError(raw.messageId, `body is not an object with a '${bodyField}' field (what the FIFO ingest pipe sends)`);
    }
    body = (body as Record<string, unknown>)[bodyField];
  }
  if (input === BufferedEventInput.DETAIL) {
    return { detail: body as TDetail, messageId: raw.messageId, raw };
  }
  if (!isEventBridgeEvent(body)) {
    throw new MalformedMessageError(
      raw.messageId,
      "body is not a whole EventBridge event (needs string 'id', 'source', 'detail-type' and a 'detail'); " +
        'if the rule target sends only $.detail, configure the consumer with input DETAIL',
    );
  }
  const event = body as EventBridgeEvent<string, TDetail>;
  return {
    event,
    detail: event.detail,
    detailType: event['detail-type'],
    source: event.source,
    messageId: raw.messageId,
    raw,
  };
}

function isEventBridgeEvent(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  const candidate = body as Record<string, unknown>;
  return (
    isNonEmptyString(candidate.id) &&
    isNonEmptyString(candidate.source) &&
    isNonEmptyString(candidate['detail-type']) &&
    'detail' in candidate
  );
}

function isNonEmptyString(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0;
}
