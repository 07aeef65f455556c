/**
 * The enrichment's batch logic, apart from the Lambda wiring so tests can run it with their own peers: every record
 * that is a new image of an outbox item becomes a delivery, in order; an image that cannot be published is set aside
 * (see OUTBOX_MALFORMED in the contract) and counted, and the rest of the batch is still published.
 */
import { MalformedOutboxRowError, OutboxDelivery, outboxDeliveryFrom, OutboxStreamRecord } from '../runtime/outbox/outbox-row';
import { deliverOrSetAside, SetAsideDependencies } from '../runtime/outbox/set-aside';

export interface EnrichmentDependencies extends SetAsideDependencies {
  readonly eventSource: string;
}

/** Turns a pipe batch into deliveries; malformed images are set aside first, so none is lost if that fails. */
export async function enrichBatch(records: readonly OutboxStreamRecord[], deps: EnrichmentDependencies): Promise<OutboxDelivery[]> {
  return deliverOrSetAside(records, (record) => outboxDeliveryFrom(record, deps.eventSource),
    (error): error is MalformedOutboxRowError => error instanceof MalformedOutboxRowError, deps);
}
