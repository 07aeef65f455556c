/**
 * Sample writer of the TransactionalOutbox example: places and cancels orders. Each command changes the order item
 * and records its event in one transaction, so the event is published exactly when the change happened.
 *
 * A command retried by its caller is safe: placing an existing order or cancelling one that is not PLACED fails the
 * business condition, which cancels the whole transaction, outbox update included.
 *
 * Environment: the `OUTBOX_*` variables set by `TransactionalOutbox.grantWrite`.
 */
import { DynamoDBClient, GetItemCommand, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import { InvalidOrderError, ORDER_CANCELLED, ORDER_PLACED, OrderCancelled, orderCancelledFrom, orderPlacedFrom } from './order-events';
import { OutboxWriter } from '../runtime/outbox/writer';

/** Place a new order. */
export interface PlaceOrderCommand {
  readonly type: 'PlaceOrder';
  readonly orderId: string;
  readonly customerId: string;
  readonly restaurantId: string;
  readonly lines: readonly { sku: string; quantity: number; unitPrice: number }[];
  readonly currency: string;
}

/** Cancel a PLACED order. */
export interface CancelOrderCommand {
  readonly type: 'CancelOrder';
  readonly orderId: string;
  readonly reason: string;
}

export type OrderCommand = PlaceOrderCommand | CancelOrderCommand;

/** What happened: the event published, or why nothing changed. */
export interface OrderCommandResult {
  readonly orderId: string;
  readonly outcome: 'PLACED' | 'CANCELLED' | 'ALREADY_PLACED' | 'NOT_CANCELLABLE';
  /** The published event's id, when one was published. */
  readonly eventId?: string;
}

const client = new DynamoDBClient({});
const outbox = new OutboxWriter({ client });
const orderKey = (orderId: string) => ({ pk: { S: `ORDER#${orderId}` }, sk: { S: 'ORDER' } });

/** The Lambda handler: one command in, its outcome out. */
export async function handler(command: OrderCommand): Promise<OrderCommandResult> {
  if (command?.type === 'PlaceOrder') return placeOrder(command);
  if (command?.type === 'CancelOrder') return cancelOrder(command);
  throw new InvalidOrderError('command', [`type must be PlaceOrder or CancelOrder, got ${String((command as { type?: unknown })?.type)}`]);
}

async function placeOrder(command: PlaceOrderCommand): Promise<OrderCommandResult> {
  const order = orderPlacedFrom(command, 'PlaceOrder command');
  const placedAt = new Date().toISOString();
  try {
    const { events } = await outbox.write({
      writes: [{
        Put: {
          TableName: outbox.tableName,
          Item: {
            ...orderKey(order.orderId),
            status: { S: 'PLACED' },
            customerId: { S: order.customerId },
            restaurantId: { S: order.restaurantId },
            total: { N: String(order.total) },
            currency: { S: order.currency },
            placedAt: { S: placedAt },
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      }],
      events: [{ detailType: ORDER_PLACED, aggregateId: order.orderId, partitionKey: `ORDER#${order.orderId}`, detail: order, occurredAt: new Date(placedAt) }],
    });
    return { orderId: order.orderId, outcome: 'PLACED', eventId: events[0].metadata.eventId };
  } catch (error) {
    if (businessConditionFailed(error)) return { orderId: order.orderId, outcome: 'ALREADY_PLACED' };
    throw error;
  }
}

async function cancelOrder(command: CancelOrderCommand): Promise<OrderCommandResult> {
  const current = await client.send(new GetItemCommand({ TableName: outbox.tableName, Key: orderKey(command.orderId), ConsistentRead: true }));
  if (current.Item?.status?.S !== 'PLACED') return { orderId: command.orderId, outcome: 'NOT_CANCELLABLE' };
  const detail: OrderCancelled = orderCancelledFrom({ orderId: command.orderId, restaurantId: current.Item.restaurantId?.S, reason: command.reason });
  try {
    const { events } = await outbox.write({
      writes: [{
        Update: {
          TableName: outbox.tableName,
          Key: orderKey(command.orderId),
          UpdateExpression: 'SET #status = :cancelled, cancelReason = :reason',
          // Still PLACED when the transaction runs: a concurrent cancel publishes one event, not two.
          ConditionExpression: '#status = :placed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':cancelled': { S: 'CANCELLED' }, ':placed': { S: 'PLACED' }, ':reason': { S: detail.reason } },
        },
      }],
      events: [{ detailType: ORDER_CANCELLED, aggregateId: command.orderId, partitionKey: `ORDER#${command.orderId}`, detail }],
    });
    return { orderId: command.orderId, outcome: 'CANCELLED', eventId: events[0].metadata.eventId };
  } catch (error) {
    if (businessConditionFailed(error)) return { orderId: command.orderId, outcome: 'NOT_CANCELLABLE' };
    throw error;
  }
}

/** The transaction was cancelled because the business write's condition failed (action 0), not for another reason. */
function businessConditionFailed(error: unknown): boolean {
  return error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === 'ConditionalCheckFailed';
}
