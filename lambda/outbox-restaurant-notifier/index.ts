/**
 * Sample consumer of the TransactionalOutbox example: tells the restaurant about new and cancelled orders by
 * writing to its inbox (a table the restaurant's tablet app reads). Buffered behind an SQS queue by a
 * BufferedEventConsumer; each outbox event is handled once, keyed by the outbox event id (the envelope's
 * `metadata.eventId`), which stays the same when EventBridge or the pipe delivers an event twice under new EventBridge ids.
 *
 * Environment: `RESTAURANT_INBOX_TABLE` (required), and the consumer runtime's `IDEMPOTENCY_TABLE_NAME`.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { InvalidOrderError, ORDER_CANCELLED, ORDER_PLACED, orderCancelledFrom, orderPlacedFrom } from '../outbox-order-commands/order-events';
import type { EventRecord } from '../runtime/event-record';
import { idempotentBatchHandler } from '../runtime/idempotent-consumer';
import { outboxEventFrom } from '../runtime/outbox/published-event';

const INBOX_TABLE = process.env.RESTAURANT_INBOX_TABLE;
if (!INBOX_TABLE) throw new Error('outbox-restaurant-notifier: environment variable RESTAURANT_INBOX_TABLE is not set');
const client = new DynamoDBClient({});

async function notifyRestaurant(record: EventRecord<unknown>): Promise<void> {
  // The bus event's detail is the outbox envelope: metadata (id, type, time...) and the writer's object as data.
  const { metadata, data } = outboxEventFrom(record.detail);
  const time = metadata.occurredAt;
  if (metadata.detailType === ORDER_PLACED) {
    const order = orderPlacedFrom(data);
    await putInboxEntry(order.restaurantId, `${order.orderId}#placed`, {
      lines: { S: JSON.stringify(order.lines) },
      placedAt: { S: time },
    });
  } else if (metadata.detailType === ORDER_CANCELLED) {
    const cancelled = orderCancelledFrom(data);
    await putInboxEntry(cancelled.restaurantId, `${cancelled.orderId}#cancelled`, { reason: { S: cancelled.reason }, cancelledAt: { S: time } });
  } else {
    throw new InvalidOrderError('event', [`detail-type ${metadata.detailType} is not ${ORDER_PLACED} or ${ORDER_CANCELLED}`]);
  }
}

async function putInboxEntry(restaurantId: string, entry: string, attributes: Record<string, { S: string }>): Promise<void> {
  await client.send(new PutItemCommand({
    TableName: INBOX_TABLE,
    Item: { restaurantId: { S: restaurantId }, entry: { S: entry }, ...attributes },
  }));
}

/** The Lambda handler: an SQS batch of outbox events in, the messages to retry out. */
export const handler = idempotentBatchHandler(notifyRestaurant, { idempotencyKey: 'detail.metadata.eventId' });
