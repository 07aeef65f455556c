/**
 * The outbox item, both ways: how the writer makes an aggregate's outbox item carry its next event, and how the pipe
 * enrichment turns the item's new image back into the clean event the target receives. One module, so the two
 * directions cannot drift apart.
 *
 * Each aggregate has one outbox item; every event of the aggregate is a new image of it (an INSERT for the first, a
 * MODIFY for each later one), so the stream orders them the way DynamoDB documents it: per item (see OUTBOX_ORDERING
 * in the contract).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { isJsonObject, PublishedOutboxEvent } from './published-event';
import {
  OUTBOX_CAPTURED_CHANGES, OUTBOX_DELIVERY, OUTBOX_KEY_PREFIX, OUTBOX_ORDERING, OUTBOX_ROW_ATTRIBUTES,
} from '../../../lib/transactional-outbox/contract';

/** Where outbox rows go: the table and the names of its key and TTL attributes. */
export interface OutboxTableShape {
  readonly tableName: string;
  readonly partitionKey: string;
  /** Absent for a table with a partition key only: the outbox item's partition key is then `OUTBOX#<aggregate id>`. */
  readonly sortKey?: string;
  readonly timeToLiveAttribute: string;
}

/** One event as the outbox item's image carries it (besides its sequence, which DynamoDB assigns). */
export interface OutboxRecord {
  readonly eventId: string;
  readonly detailType: string;
  /** RFC 3339 with milliseconds. */
  readonly occurredAt: string;
  readonly aggregateId: string;
  /** The detail as JSON text. */
  readonly detailJson: string;
}

/** The attributes of a stream record image: outbox items hold only strings and numbers. */
export type StreamImage = Record<string, { S?: string; N?: string }>;

/** The parts of a DynamoDB stream record (as Pipes and Lambda deliver it) the enrichment reads. */
export interface OutboxStreamRecord {
  readonly eventName?: string;
  readonly eventID?: string;
  readonly dynamodb?: { readonly NewImage?: StreamImage; readonly Keys?: StreamImage; readonly SequenceNumber?: string };
}

/** What the pipe enrichment returns per outbox item image; see OUTBOX_DELIVERY in the contract. */
export interface OutboxDelivery extends PublishedOutboxEvent {
  readonly dynamodb: { readonly NewImage: StreamImage };
}

/** A stream record that is an outbox INSERT or MODIFY but cannot be turned into an event (written by something else). */
export class MalformedOutboxRowError extends Error {
  constructor(reason: string) {
    super(`outbox item image cannot be published: ${reason}`);
    this.name = 'MalformedOutboxRowError';
  }
}

/** The key value that marks an item as an aggregate's outbox item. */
export function outboxKeyValue(aggregateId: string): string {
  return `${OUTBOX_KEY_PREFIX}${aggregateId}`;
}

/** The key of an aggregate's outbox item: beside the aggregate's items (`partitionKeyValue`), or in its own partition. */
export function outboxItemKey(shape: OutboxTableShape, aggregateId: string, partitionKeyValue: string): Record<string, AttributeValue> {
  if (shape.sortKey === undefined) return { [shape.partitionKey]: { S: outboxKeyValue(aggregateId) } };
  return { [shape.partitionKey]: { S: partitionKeyValue }, [shape.sortKey]: { S: outboxKeyValue(aggregateId) } };
}

/** The transaction action that makes the aggregate's outbox item carry `record` as its next event. */
export interface OutboxItemUpdate {
  readonly TableName: string;
  readonly Key: Record<string, AttributeValue>;
  readonly UpdateExpression: string;
  readonly ConditionExpression?: string;
  readonly ExpressionAttributeNames: Record<string, string>;
  readonly ExpressionAttributeValues: Record<string, AttributeValue>;
}

/**
 * Sets every event attribute of the outbox item (none of the previous event's survives) and increments its sequence
 * in the same update: DynamoDB applies one item's writes one at a time, so each committed event gets the previous
 * sequence plus one, with no read and whatever the concurrency. With `expectedSequence` the update is also
 * conditional on the sequence the caller last saw (0: the aggregate has no outbox item yet), so a concurrent event
 * of the aggregate makes the transaction fail instead of being ordered before this one.
 */
export function outboxItemUpdate(
  shape: OutboxTableShape,
  record: OutboxRecord,
  partitionKeyValue: string,
  expiresAtEpochSeconds: number,
  expectedSequence?: number,
): OutboxItemUpdate {
  const names: Record<string, string> = {
    '#sequence': OUTBOX_ROW_ATTRIBUTES.sequence,
    '#eventId': OUTBOX_ROW_ATTRIBUTES.eventId,
    '#detailType': OUTBOX_ROW_ATTRIBUTES.detailType,
    '#occurredAt': OUTBOX_ROW_ATTRIBUTES.occurredAt,
    '#aggregateId': OUTBOX_ROW_ATTRIBUTES.aggregateId,
    '#detail': OUTBOX_ROW_ATTRIBUTES.detail,
    '#expiresAt': shape.timeToLiveAttribute,
  };
  const values: Record<string, AttributeValue> = {
    ':none': { N: String(OUTBOX_ORDERING.firstSequence - 1) },
    ':one': { N: '1' },
    ':eventId': { S: record.eventId },
    ':detailType': { S: record.detailType },
    ':occurredAt': { S: record.occurredAt },
    ':aggregateId': { S: record.aggregateId },
    ':detail': { S: record.detailJson },
    ':expiresAt': { N: String(expiresAtEpochSeconds) },
  };
  let condition: string | undefined;
  if (expectedSequence !== undefined) {
    if (expectedSequence === OUTBOX_ORDERING.firstSequence - 1) {
      condition = 'attribute_not_exists(#sequence)';
    } else {
      condition = '#sequence = :expected';
      values[':expected'] = { N: String(expectedSequence) };
    }
  }
  return {
    TableName: shape.tableName,
    Key: outboxItemKey(shape, record.aggregateId, partitionKeyValue),
    UpdateExpression: 'SET #sequence = if_not_exists(#sequence, :none) + :one, #eventId = :eventId, #detailType = :detailType, ' +
      '#occurredAt = :occurredAt, #aggregateId = :aggregateId, #detail = :detail, #expiresAt = :expiresAt',
    ...(condition ? { ConditionExpression: condition } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
}

/** The envelope the target receives for an outbox record at its place in the aggregate's sequence. */
export function publishedEvent(record: OutboxRecord, source: string, sequence: number): PublishedOutboxEvent {
  return {
    metadata: {
      eventId: record.eventId,
      source,
      detailType: record.detailType,
      occurredAt: record.occurredAt,
      aggregateId: record.aggregateId,
      sequence,
    },
    data: JSON.parse(record.detailJson) as Record<string, unknown>,
  };
}

/** Whether a stream record is an outbox item's new image (an INSERT or MODIFY of an item holding an event id). */
export function isOutboxImage(streamRecord: OutboxStreamRecord): boolean {
  const image = streamRecord.dynamodb?.NewImage;
  const change = streamRecord.eventName as (typeof OUTBOX_CAPTURED_CHANGES)[number] | undefined;
  return change !== undefined && OUTBOX_CAPTURED_CHANGES.includes(change) && image?.[OUTBOX_ROW_ATTRIBUTES.eventId] !== undefined;
}

/**
 * What the enrichment returns for one stream record: the delivery for a new image of an outbox item, `undefined` for
 * anything else (REMOVEs by TTL, business items: the pipe's filter already drops those; this is the second line).
 * @throws MalformedOutboxRowError for an outbox image whose attributes are missing, whose sequence is not a positive
 * whole number, or whose detail is not a JSON object
 */
export function outboxDeliveryFrom(streamRecord: OutboxStreamRecord, source: string): OutboxDelivery | undefined {
  if (!isOutboxImage(streamRecord)) return undefined;
  const image = streamRecord.dynamodb!.NewImage!;
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
  const sequence = Number(image[OUTBOX_ROW_ATTRIBUTES.sequence]?.N);
  if (!Number.isSafeInteger(sequence) || sequence < OUTBOX_ORDERING.firstSequence) {
    throw new MalformedOutboxRowError(`event ${record.eventId}: number attribute ${OUTBOX_ROW_ATTRIBUTES.sequence} is missing or not a positive whole number`);
  }
  let event: PublishedOutboxEvent;
  try {
    event = publishedEvent(record, source, sequence);
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
