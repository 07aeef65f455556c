/**
 * Sample consumer of the TransactionalOutbox example: keeps each order's status for the customer's tracking page.
 * An event bus does not keep order, so a cancellation can arrive before the order it cancels: it then fails and SQS
 * redelivers it after the visibility timeout, by which time the placement has usually been recorded. Each outbox
 * event is handled once, keyed by the outbox event id (the envelope's `metadata.eventId`).
 *
 * Environment: `ORDER_TRACKING_TABLE` (required), and the consumer runtime's `IDEMPOTENCY_TABLE_NAME`.
 */
import { ConditionalCheckFailedException, DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { InvalidOrderError, ORDER_CANCELLED, ORDER_PLACED, orderCancelledFrom, orderPlacedFrom } from '../outbox-order-commands/order-events';
import type { EventRecord } from '../runtime/event-record';
import { idempotentBatchHandler } from '../runtime/idempotent-consumer';
import { outboxEventFrom } from '../runtime/outbox/published-event';

const TRACKING_TABLE = process.env.ORDER_TRACKING_TABLE;
if (!TRACKING_TABLE) throw new Error('outbox-order-tracker: environment variable ORDER_TRACKING_TABLE is not set');
const client = new DynamoDBClient({});

/** A cancellation that arrived before its order: retried by SQS until the order is tracked. */
export class OrderNotTrackedYetError extends Error {
  constructor(orderId: string) {
    super(`order ${orderId} is not tracked yet; the cancellation will be retried`);
    this.name = 'OrderNotTrackedYetError';
  }
}

async function trackOrder(record: EventRecord<unknown>): Promise<void> {
  // The bus event's detail is the outbox envelope: metadata (id, type, time...) and the writer's object as data.
  const { metadata, data } = outboxEventFrom(record.detail);
  const time = metadata.occurredAt;
  if (metadata.detailType === ORDER_PLACED) {
    const order = orderPlacedFrom(data);
    try {
      await client.send(new PutItemCommand({
        TableName: TRACKING_TABLE,
        Item: { orderId: { S: order.orderId }, status: { S: 'PLACED' }, placedAt: { S: time }, total: { N: String(order.total) } },
        // Never overwrite a later status.
        ConditionExpression: 'attribute_not_exists(orderId)',
      }));
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  } else if (metadata.detailType === ORDER_CANCELLED) {
    const cancelled = orderCancelledFrom(data);
    try {
      await client.send(new UpdateItemCommand({
        TableName: TRACKING_TABLE,
        Key: { orderId: { S: cancelled.orderId } },
        UpdateExpression: 'SET #status = :cancelled, cancelledAt = :time',
        ConditionExpression: 'attribute_exists(orderId)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':cancelled': { S: 'CANCELLED' }, ':time': { S: time } },
      }));
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new OrderNotTrackedYetError(cancelled.orderId);
      throw error;
    }
  } else {
    throw new InvalidOrderError('event', [`detail-type ${metadata.detailType} is not ${ORDER_PLACED} or ${ORDER_CANCELLED}`]);
  }
}

/** The Lambda handler: an SQS batch of outbox events in, the messages to retry out. */
export const handler = idempotentBatchHandler(trackOrder, { idempotencyKey: 'detail.metadata.eventId' });
