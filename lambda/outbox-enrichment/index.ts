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
import { SQSClient } from '@aws-sdk/client-sqs';
import { enrichBatch, EnrichmentDependencies } from './enrich';
import { sqsSetAside } from './sqs-set-aside';
import { OUTBOX_ENV } from '../../lib/transactional-outbox/contract';
import { metricLogLevel } from '../runtime/circuit-breaker/telemetry';
import type { OutboxDelivery, OutboxStreamRecord } from '../runtime/outbox/outbox-row';

// Read once per execution environment: a missing setting fails the init instead of every batch.
function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`outbox-enrichment: environment variable ${name} is not set`);
  return value;
}
const deps: EnrichmentDependencies = {
  eventSource: required(OUTBOX_ENV.EVENT_SOURCE),
  setAside: sqsSetAside(new SQSClient({}), required(OUTBOX_ENV.MALFORMED_QUEUE_URL)),
  // Straight to stdout: the runtime's console patching would wrap an EMF line and CloudWatch would not extract it.
  output: (line) => process.stdout.write(`${line}\n`),
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'outbox-enrichment',
  metricLevel: metricLogLevel(),
};

/** The Lambda handler: stream records in, deliveries out. */
export async function handler(records: OutboxStreamRecord[]): Promise<OutboxDelivery[]> {
  return enrichBatch(records, deps);
}
