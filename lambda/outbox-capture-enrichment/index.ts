/**
 * Pipe enrichment of a TransactionalOutbox in change-capture mode: turns each captured item's stream record into the
 * event the target receives (the item's new image, reduced to the captured attributes, in the outbox envelope). An
 * input template cannot: it cannot unmarshal DynamoDB JSON. Records stay in stream order (one output per captured
 * change), so each item's events keep the order of its writes. A change that cannot be published (no aggregate id or
 * sequence, an event too large for the target's request) is set aside on the malformed-image queue and counted, like
 * the outbox enrichment's malformed images, and the rest of the batch is published (see OUTBOX_MALFORMED in the contract).
 *
 * Environment: `OUTBOX_EVENT_SOURCE`, `OUTBOX_MALFORMED_QUEUE_URL`, `OUTBOX_TARGET`, `OUTBOX_BATCH_SIZE` and the
 * `OUTBOX_CAPTURE_*` settings (see the contract), all set by the construct.
 */
import { OUTBOX_ENV } from '../../lib/transactional-outbox/contract';
import {
  CapturedItemDelivery, capturedItemDeliveryFrom, CapturedStreamRecord, CaptureSettings, captureSettingsFrom, MalformedCapturedItemError,
} from '../runtime/outbox/captured-item';
import { deliverOrSetAside } from '../runtime/outbox/set-aside';
import { requiredEnv, setAsideFromEnvironment } from '../runtime/outbox/sqs-set-aside';

const settings: CaptureSettings = captureSettingsFrom(process.env, requiredEnv('outbox-capture-enrichment', OUTBOX_ENV.EVENT_SOURCE));
const setAside = setAsideFromEnvironment('outbox-capture-enrichment');

/** The Lambda handler: stream records in, deliveries out. */
export async function handler(records: CapturedStreamRecord[]): Promise<CapturedItemDelivery[]> {
  return deliverOrSetAside(records, (record) => capturedItemDeliveryFrom(record, settings),
    (error): error is MalformedCapturedItemError => error instanceof MalformedCapturedItemError, setAside);
}
