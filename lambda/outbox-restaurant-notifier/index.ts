/**
 * Sample consumer of the TransactionalOutbox example: tells the restaurant about new and cancelled orders by
 * writing to its inbox (a table the restaurant's tablet app reads). Buffered behind an SQS queue by a
 * BufferedEventConsumer; each outbox event is handled once, keyed by the outbox event id (the event's only
 * resource), which stays the same when EventBridge or the pipe delivers an event twice under new EventBridge ids.
 *
 * Environment: `RESTAURANT_INBOX_TABLE` (required), and the consumer runtime's `IDEMPOTENCY_TABLE_NAME`.
 */
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { InvalidOrderError, ORDER_CANCELLED, ORDER_PLACED, orderCancelledFrom, orderPlacedFrom } from '../outbox-order-commands/order-events';
import type { EventRecord } from '../runtime/event-record';
import { idempotentBatchHandler } from '../runtime/idempotent-consumer';

const INBOX_TABLE = process.env.RESTAURANT_INBOX_TABLE;
if (!INBOX_TABLE) throw new Error('outbox-restaurant-notifier: environment variable RESTAURANT_INBOX_TABLE is not set');
const client = new DynamoDBClient({});

async function notifyRestaurant(record: EventRecord<unknown>): Promise<void> {
  const time = record.event?.time ?? new Date().toISOString();
  if (record.detailType === ORDER_PLACED) {
    const order = orderPlacedFrom(record.detail);
    await putInboxEntry(order.restaurantId, `${order.orderId}#placed`, {
      lines: { S: JSON.stringify(order.lines) },
      placedAt: { S: time },
    });
  } else if (record.detailType === ORDER_CANCELLED) {
    const cancelled = orderCancelledFrom(record.detail);
    await putInboxEntry(cancelled.restaurantId, `${cancelled.orderId}#cancelled`, { reason: { S: cancelled.reason }, cancelledAt: { S: time } });
  } else {
    throw new InvalidOrderError('event', [`detail-type ${record.detailType} is not ${ORDER_PLACED} or ${ORDER_CANCELLED}`]);
  }
}

async function putInboxEntry(restaurantId: string, entry: string, attributes: Record<string, { S: string }>): Promise<void> {
  await client.send(new PutItemCommand({
    TableName: INBOX_TABLE,
    Item: { restaurantId: { S: restaurantId }, entry: { S: entry }, ...attributes },
  }));
}

/** The Lambda handler: an SQS batch of outbox events in, the messages to retry out. */
export const handler = idempotentBatchHandler(notifyRestaurant, { idempotencyKey: 'resources[0]' });
