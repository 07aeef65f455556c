/**
 * Pipe enrichment of the TransactionalOutbox: turns each outbox item's new image from the stream into the clean
 * event the target receives. An input template cannot do this: it can place the image's `outboxDetail` string but not
 * parse it, and it cannot unmarshal a DynamoDB map either, so the target would get a JSON string or DynamoDB JSON
 * instead of the object the writer was given.
 *
 * Input: the pipe's batch of (filtered) DynamoDB stream records. Output: one delivery per new image of an outbox
 * item, in order (see OUTBOX_DELIVERY in the contract). An image that cannot be published is set aside on the
 * malformed-image queue and counted, and the rest of the batch is published (see OUTBOX_MALFORMED in the contract).
 *
 * Environment: `OUTBOX_EVENT_SOURCE` (the `source` of every event) and `OUTBOX_MALFORMED_QUEUE_URL`, both required.
 */
import { enrichBatch, EnrichmentDependencies } from './enrich';
import { OUTBOX_ENV } from '../../lib/transactional-outbox/contract';
import type { OutboxDelivery, OutboxStreamRecord } from '../runtime/outbox/outbox-row';
import { requiredEnv, setAsideFromEnvironment } from '../runtime/outbox/sqs-set-aside';

const deps: EnrichmentDependencies = {
  eventSource: requiredEnv('outbox-enrichment', OUTBOX_ENV.EVENT_SOURCE),
  ...setAsideFromEnvironment('outbox-enrichment'),
};

/** The Lambda handler: stream records in, deliveries out. */
export async function handler(records: OutboxStreamRecord[]): Promise<OutboxDelivery[]> {
  return enrichBatch(records, deps);
}
