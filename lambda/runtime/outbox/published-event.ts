/**
 * What an outbox consumer receives, and the helper that unwraps it. The target gets an envelope
 * `{ metadata, data }` (see OUTBOX_ENVELOPE in the contract for why): on an event bus it is the event's `detail`, on
 * a FIFO queue the message body.
 */
import { OUTBOX_ENVELOPE } from '../../../lib/transactional-outbox/contract';

/** Who, what and when of one outbox event. */
export interface OutboxEventMetadata {
  /** The outbox event id (a ULID): the same on every delivery of the event, so consumers deduplicate by it. */
  readonly eventId: string;
  /** The `source` of the outbox (also the bus event's `source`). */
  readonly source: string;
  /** The event's type (also the bus event's `detail-type`). */
  readonly detailType: string;
  /** When the event happened (the writer's clock), RFC 3339 with milliseconds. */
  readonly occurredAt: string;
  /** The aggregate the event is about (the FIFO message group). */
  readonly aggregateId: string;
  /**
   * The event's place among its aggregate's events: 1 for the first, one more for each committed event after it. The
   * target receives an aggregate's events in this order (FIFO target); a consumer that sees a number more than one
   * above the last it processed has missed an event (dead-lettered, or set aside as malformed). It starts again at 1
   * after an aggregate had no event for the outbox retention (its outbox item expired).
   */
  readonly sequence: number;
}

/** The envelope the target receives: `data` is exactly the object the writer was given. */
export interface PublishedOutboxEvent<TData = Record<string, unknown>> {
  readonly metadata: OutboxEventMetadata;
  readonly data: TData;
}

/** A value that is not an outbox envelope (a consumer wired to the wrong source, or a hand-made message). */
export class NotAnOutboxEventError extends Error {
  constructor(reason: string) {
    super(`not an outbox event: ${reason}`);
    this.name = 'NotAnOutboxEventError';
  }
}

/**
 * Unwraps what an outbox target delivered: the bus event's `detail`, or the parsed FIFO message body.
 *
 * `TData` is a compile-time promise only: `data` is checked to be a JSON object, not validated against it.
 * @throws NotAnOutboxEventError when the value is not an envelope with string metadata and an object `data`
 */
export function outboxEventFrom<TData = Record<string, unknown>>(value: unknown): PublishedOutboxEvent<TData> {
  if (!isJsonObject(value)) throw new NotAnOutboxEventError('not a JSON object');
  const metadata = value[OUTBOX_ENVELOPE.metadataField];
  const data = value[OUTBOX_ENVELOPE.dataField];
  if (!isJsonObject(metadata)) throw new NotAnOutboxEventError(`'${OUTBOX_ENVELOPE.metadataField}' is not an object`);
  if (!isJsonObject(data)) throw new NotAnOutboxEventError(`'${OUTBOX_ENVELOPE.dataField}' is not an object`);
  for (const field of ['eventId', 'source', 'detailType', 'occurredAt', 'aggregateId']) {
    if (typeof metadata[field] !== 'string' || metadata[field] === '') {
      throw new NotAnOutboxEventError(`metadata.${field} is not a non-empty string`);
    }
  }
  if (!Number.isSafeInteger(metadata.sequence) || (metadata.sequence as number) < 1) {
    throw new NotAnOutboxEventError('metadata.sequence is not a positive whole number');
  }
  return { metadata: metadata as unknown as OutboxEventMetadata, data: data as TData };
}

/** A JSON object: what EventBridge accepts as an event's detail. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
