/**
 * The OrderPlaced event this sample consumer handles, and the checks that keep a wrong event from reaching the
 * downstream service.
 */
import type { EventRecord } from '../runtime/event-record';

/** The `source` of order events in the sample app. */
export const ORDER_EVENT_SOURCE = 'com.example.orders';

/** The `detail-type` of the one event this consumer handles. */
export const ORDER_PLACED = 'OrderPlaced';

/** The detail of an OrderPlaced event. */
export interface OrderPlaced {
  /** Unique per order; the downstream service files the order under it. */
  readonly orderId: string;
  /** The customer who placed the order. */
  readonly customerId: string;
  /** The order total in `currency`. */
  readonly total: number;
  /** ISO 4217 currency code, e.g. `EUR`. */
  readonly currency: string;
}

/**
 * The record is not an OrderPlaced event this consumer can handle. Retrying cannot fix it, so after the queue's
 * `maxReceiveCount` it lands in the DLQ, whose alarm tells someone to look.
 */
export class InvalidOrderEventError extends Error {
  constructor(messageId: string, reason: string) {
    super(`SQS message ${messageId}: ${reason}`);
    this.name = 'InvalidOrderEventError';
  }
}

/**
 * Checks the envelope (when the body carries it) and the detail's fields, and returns the typed detail.
 * The rule's event pattern should already let only OrderPlaced through; this guards against a widened pattern.
 */
export function orderPlacedFrom(record: EventRecord<unknown>): OrderPlaced {
  if (record.detailType !== undefined && record.detailType !== ORDER_PLACED) {
    throw new InvalidOrderEventError(record.messageId, `detail-type '${record.detailType}' is not ${ORDER_PLACED}`);
  }
  if (record.source !== undefined && record.source !== ORDER_EVENT_SOURCE) {
    throw new InvalidOrderEventError(record.messageId, `source '${record.source}' is not ${ORDER_EVENT_SOURCE}`);
  }
  const detail = record.detail as Partial<Record<keyof OrderPlaced, unknown>> | null;
  if (typeof detail !== 'object' || detail === null) {
    throw new InvalidOrderEventError(record.messageId, 'detail is not an object');
  }
  const problems: string[] = [];
  if (typeof detail.orderId !== 'string' || detail.orderId === '') problems.push('orderId must be a non-empty string');
  if (typeof detail.customerId !== 'string' || detail.customerId === '') problems.push('customerId must be a non-empty string');
  if (typeof detail.total !== 'number' || !Number.isFinite(detail.total)) problems.push('total must be a number');
  if (typeof detail.currency !== 'string' || !/^[A-Z]{3}$/.test(detail.currency)) problems.push('currency must be a 3-letter code');
  if (problems.length > 0) throw new InvalidOrderEventError(record.messageId, `invalid OrderPlaced detail: ${problems.join('; ')}`);
  return {
    orderId: detail.orderId as string,
    customerId: detail.customerId as string,
    total: detail.total as number,
    currency: detail.currency as string,
  };
}
