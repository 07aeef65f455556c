/**
 * Chooses which part of a message identifies "the same work" for idempotency.
 *
 * Why the default is the EventBridge event id and not the SQS message id: EventBridge delivers at least once. When
 * its SendMessage call to the queue times out after SQS has in fact stored the message, EventBridge retries and the
 * same event (same `id`) arrives as a second SQS message with a new `messageId`. Keying on the event id catches
 * that duplicate as well as SQS's own redeliveries (which keep the message id). When the body holds only the
 * detail, the event id is gone, so the message id is the only stable identity left; it still catches SQS
 * redeliveries and a retry after a failed or timed-out invocation, but not EventBridge's duplicate sends — pass a
 * business key (e.g. an order id in the detail) to cover those.
 */
import type { EventRecord } from './event-record';

/**
 * Computes the idempotency key of a record. Returning an empty string or `undefined` fails that record, because
 * processing it without a key would silently drop the exactly-once guarantee.
 */
export type IdempotencyKeyFunction<TDetail = unknown> = (record: EventRecord<TDetail>) => string | undefined;

/**
 * How the key is chosen: a JMESPath expression evaluated against the parsed message body (the whole event or the
 * detail, whichever the queue carries; e.g. `detail.orderId` or `orderId`), or a function of the parsed record.
 */
export type IdempotencyKeySource<TDetail = unknown> = string | IdempotencyKeyFunction<TDetail>;

/**
 * A record could not be given an idempotency key, so it is failed rather than processed without protection.
 */
export class MissingIdempotencyKeyError extends Error {
  constructor(messageId: string) {
    super(`SQS message ${messageId}: the idempotency key function returned no key`);
    this.name = 'MissingIdempotencyKeyError';
  }
}

/**
 * The default key: the EventBridge event id when the body is a whole event, otherwise the SQS message id.
 * The prefix keeps the two namespaces apart if a consumer's body shape is ever changed.
 */
export function defaultIdempotencyKey(record: EventRecord<unknown>): string {
  return record.event ? `event:${record.event.id}` : `message:${record.messageId}`;
}
