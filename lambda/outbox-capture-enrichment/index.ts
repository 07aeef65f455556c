/**
 * Pipe enrichment of a TransactionalOutbox in change-capture mode: turns each captured item's stream record into the
 * event the target receives (the item's new image, reduced to the captured attributes, in the outbox envelope). An
 * input template cannot: it cannot unmarshal DynamoDB JSON. Records stay in stream order (one output per captured
 * change), so each item's events keep the order of its writes.
 *
 * Environment: `OUTBOX_EVENT_SOURCE` and the `OUTBOX_CAPTURE_*` settings (see the contract), all set by the construct.
 */
import { OUTBOX_ENV } from '../../lib/transactional-outbox/contract';
import {
  CapturedItemDelivery, capturedItemDeliveryFrom, CapturedStreamRecord, CaptureSettings, captureSettingsFrom,
} from '../runtime/outbox/captured-item';

// Read once per execution environment: a missing setting fails the init instead of every batch.
const source = process.env[OUTBOX_ENV.EVENT_SOURCE];
if (!source) throw new Error(`outbox-capture-enrichment: environment variable ${OUTBOX_ENV.EVENT_SOURCE} is not set`);
const settings: CaptureSettings = captureSettingsFrom(process.env, source);

/** The Lambda handler: stream records in, deliveries out. */
export async function handler(records: CapturedStreamRecord[]): Promise<CapturedItemDelivery[]> {
  const deliveries: CapturedItemDelivery[] = [];
  for (const record of records) {
    const delivery = capturedItemDeliveryFrom(record, settings);
    if (delivery) deliveries.push(delivery);
  }
  return deliveries;
}
