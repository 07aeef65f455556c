/**
 * The outbox layout before the per-aggregate outbox item, reproduced only so the order proof can show it fails:
 * every event was an outbox row of its own (sort key `OUTBOX#<event id>`), INSERTed once and published by a pipe that
 * passed INSERTs only. DynamoDB Streams orders records per item, so these rows' records carry no order among
 * themselves.
 */
import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import type { FifoMessage } from './adversarial-pipe';
import type { PipeStreamRecord } from '../local-stream';

/** The row the old writer put for one event. */
export function rowPerEventPut(table: string, partition: string, event: {
  eventId: string; detailType: string; occurredAt: string; aggregateId: string; detail: object;
}): TransactWriteItem {
  const item: Record<string, AttributeValue> = {
    pk: { S: partition },
    sk: { S: `OUTBOX#${event.eventId}` },
    outboxEventId: { S: event.eventId },
    outboxDetailType: { S: event.detailType },
    outboxOccurredAt: { S: event.occurredAt },
    outboxAggregateId: { S: event.aggregateId },
    outboxDetail: { S: JSON.stringify(event.detail) },
  };
  return { Put: { TableName: table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } };
}

/** The old pipe filter: INSERTs of outbox rows. */
export const ROW_PER_EVENT_FILTER = { eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: [{ prefix: 'OUTBOX#' }] } } } };

/** What the old pipe sent the FIFO queue for one row (no sequence existed). */
export function rowPerEventMessage(record: PipeStreamRecord): FifoMessage {
  const image = record.dynamodb.NewImage!;
  return {
    group: image.outboxAggregateId.S,
    deduplicationId: image.outboxEventId.S,
    body: {
      metadata: { eventId: image.outboxEventId.S, aggregateId: image.outboxAggregateId.S, detailType: image.outboxDetailType.S },
      data: JSON.parse(image.outboxDetail.S),
    },
  };
}
