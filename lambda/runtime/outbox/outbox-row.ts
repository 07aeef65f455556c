/**
 * The outbox row, both ways: what the writer puts in the table, and how the pipe enrichment turns the row's stream
 * record back into the clean event the target receives. One module, so the two directions cannot drift apart.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isJsonObject, PublishedOutboxEvent } from './published-event';
import { OUTBOX_DELIVERY, OUTBOX_KEY_PREFIX, OUTBOX_ROW_ATTRIBUTES } from '../../../lib/transactional-outbox/contract';

/** Where outbox rows go: the table and the names of its key and TTL attributes. */
export interface OutboxTableShape {
  readonly tableName: string;
  readonly partitionKey: string;
  /** Absent for a table with a partition key only: the row's partition key is then `OUTBOX#<event id>`. */
  readonly sortKey?: string;
  readonly timeToLiveAttribute: string;
}

/** One event as the outbox row stores it. */
export interface OutboxRecord {
  readonly eventId: string;
  readonly detailType: string;
  /** RFC 3339 with milliseconds. */
  readonly occurredAt: string;
  readonly aggregateId: string;
  /** The detail as JSON text. */
  readonly detailJson: string;
}

/** The attributes of a stream record image: outbox rows hold only strings and numbers. */
export type StreamImage = Record<string, { S?: string; N?: string }>;

/** The parts of a DynamoDB stream record (as Pipes and Lambda deliver it) the enrichment reads. */
export interface OutboxStreamRecord {
  readonly eventName?: string;
  readonly dynamodb?: { readonly NewImage?: StreamImage };
}

/** What the pipe enrichment returns per outbox row; see OUTBOX_DELIVERY in the contract. */
export interface OutboxDelivery extends PublishedOutboxEvent {
  readonly dynamodb: { readonly NewImage: StreamImage };
}

/** A stream record that is an outbox INSERT but cannot be turned into an event (written by something else). */
export class MalformedOutboxRowError extends Error {
  constructor(reason: string) {
    super(`outbox row cannot be published: ${reason}`);
    this.name = 'MalformedOutboxRowError';
  }
}

/** The key value that marks a row as an outbox row. */
export function outboxKeyValue(eventId: string): string {
  return `${OUTBOX_KEY_PREFIX}${eventId}`;
}

/** The key of an outbox row: beside the aggregate's items (`partitionKeyValue`), or in its own partition. */
export function outboxRowKey(shape: OutboxTableShape, eventId: string, partitionKeyValue: string): Record<string, AttributeValue> {
  if (shape.sortKey === undefined) return { [shape.partitionKey]: { S: outboxKeyValue(eventId) } };
  return { [shape.partitionKey]: { S: partitionKeyValue }, [shape.sortKey]: { S: outboxKeyValue(eventId) } };
}

/** The whole outbox row. */
export function outboxRow(
  shape: OutboxTableShape,
  record: OutboxRecord,
  partitionKeyValue: string,
  expiresAtEpochSeconds: number,
): Record<string, AttributeValue> {
  return {
    ...outboxRowKey(shape, record.eventId, partitionKeyValue),
    [OUTBOX_ROW_ATTRIBUTES.eventId]: { S: record.eventId },
    [OUTBOX_ROW_ATTRIBUTES.detailType]: { S: record.detailType },
    [OUTBOX_ROW_ATTRIBUTES.occurredAt]: { S: record.occurredAt },
    [OUTBOX_ROW_ATTRIBUTES.aggregateId]: { S: record.aggregateId },
    [OUTBOX_ROW_ATTRIBUTES.detail]: { S: record.detailJson },
    [shape.timeToLiveAttribute]: { N: String(expiresAtEpochSeconds) },
  };
}

/** The envelope the target receives for an outbox record. */
export function publishedEvent(record: OutboxRecord, source: string): PublishedOutboxEvent {
  return {
    metadata: {
      eventId: record.eventId,
      source,
      detailType: record.detailType,
      occurredAt: record.occurredAt,
      aggregateId: record.aggregateId,
    },
    data: JSON.parse(record.detailJson) as Record<string, unknown>,
  };
}

/**
 * What the enrichment returns for one stream record: the delivery for an INSERT of an outbox row, `undefined` for
 * anything else (the pipe's filter already drops those; this is the second line).
 * @throws MalformedOutboxRowError for an outbox INSERT whose attributes are missing or whose detail is not a JSON object
 */
export function outboxDeliveryFrom(streamRecord: OutboxStreamRecord, source: string): OutboxDelivery | undefined {
  const image = streamRecord.dynamodb?.NewImage;
  if (streamRecord.eventName !== 'INSERT' || image?.[OUTBOX_ROW_ATTRIBUTES.eventId]?.S === undefined) return undefined;
  const text = (name: string) => {
    const value = image[name]?.S;
    if (value === undefined || value === '') throw new MalformedOutboxRowError(`string attribute ${name} is missing`);
    return value;
  };
  const record: OutboxRecord = {
    eventId: text(OUTBOX_ROW_ATTRIBUTES.eventId),
    detailType: text(OUTBOX_ROW_ATTRIBUTES.detailType),
    occurredAt: text(OUTBOX_ROW_ATTRIBUTES.occurredAt),
    aggregateId: text(OUTBOX_ROW_ATTRIBUTES.aggregateId),
    detailJson: text(OUTBOX_ROW_ATTRIBUTES.detail),
  };
  let event: PublishedOutboxEvent;
  try {
    event = publishedEvent(record, source);
  } catch (error) {
    throw new MalformedOutboxRowError(`event ${record.eventId}: ${OUTBOX_ROW_ATTRIBUTES.detail} is not JSON (${String(error)})`);
  }
  if (!isJsonObject(event.data)) {
    throw new MalformedOutboxRowError(`event ${record.eventId}: ${OUTBOX_ROW_ATTRIBUTES.detail} is not a JSON object`);
  }
  const routing: StreamImage = {};
  for (const name of OUTBOX_DELIVERY.routingAttributes) routing[name] = { S: image[name].S };
  return { dynamodb: { NewImage: routing }, ...event };
}
