/**
 * Pipe enrichment of the TransactionalOutbox: turns each outbox row's stream record into the clean event the target
 * receives. An input template cannot do this: it can place the row's `outboxDetail` string but not parse it, and it
 * cannot unmarshal a DynamoDB map either, so the target would get a JSON string or DynamoDB JSON instead of the
 * object the writer was given.
 *
 * Input: the pipe's batch of (filtered) DynamoDB stream records. Output: one delivery per new image of an outbox item, in order
 * (see OUTBOX_DELIVERY in the contract). A malformed outbox image fails the batch: the pipe retries it, bisects the
 * batch down to that record, and dead-letters it after its retries.
 *
 * Environment: `OUTBOX_EVENT_SOURCE` (required), the `source` of every event.
 */
import { OUTBOX_ENV } from '../../lib/transactional-outbox/contract';
import { OutboxDelivery, outboxDeliveryFrom, OutboxStreamRecord } from '../runtime/outbox/outbox-row';

// Read once per execution environment: a missing setting fails the init instead of every batch.
const source = process.env[OUTBOX_ENV.EVENT_SOURCE];
if (!source) throw new Error(`outbox-enrichment: environment variable ${OUTBOX_ENV.EVENT_SOURCE} is not set`);
const eventSource: string = source;

/** The Lambda handler: stream records in, deliveries out. */
export async function handler(records: OutboxStreamRecord[]): Promise<OutboxDelivery[]> {
  const deliveries: OutboxDelivery[] = [];
  for (const record of records) {
    const delivery = outboxDeliveryFrom(record, eventSource);
    if (delivery) deliveries.push(delivery);
  }
  return deliveries;
}
