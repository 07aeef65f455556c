/**
 * The enrichment's batch logic, apart from the Lambda wiring so tests can run it with their own peers: every record
 * that is a new image of an outbox item becomes a delivery, in order; an image that cannot be published is set aside
 * (see OUTBOX_MALFORMED in the contract) and counted, and the rest of the batch is still published.
 */
import { OUTBOX_MALFORMED } from '../../lib/transactional-outbox/contract';
import { MalformedOutboxRowError, OutboxDelivery, outboxDeliveryFrom, OutboxStreamRecord } from '../runtime/outbox/outbox-row';

/** A record the enrichment could not publish, and why. */
export interface MalformedImage {
  readonly reason: string;
  readonly record: OutboxStreamRecord;
}

/** Where malformed images go; it must throw if it could not keep them all (the batch is then retried). */
export type SetAside = (malformed: readonly MalformedImage[]) => Promise<void>;

/** Receives one line of output (an EMF document or a log line); no trailing newline. */
export type LineSink = (line: string) => void;

export interface EnrichmentDependencies {
  readonly eventSource: string;
  readonly setAside: SetAside;
  /** Where the metric and the error log lines go (stdout in Lambda). */
  readonly output: LineSink;
  /** The enrichment function's name, the metric's dimension. */
  readonly functionName: string;
  /** The `level` metric lines carry, so Lambda's log-level filter keeps them. */
  readonly metricLevel: string;
  readonly now?: () => number;
}

/** Turns a pipe batch into deliveries; malformed images are set aside first, so none is lost if that fails. */
export async function enrichBatch(records: readonly OutboxStreamRecord[], deps: EnrichmentDependencies): Promise<OutboxDelivery[]> {
  const deliveries: OutboxDelivery[] = [];
  const malformed: MalformedImage[] = [];
  for (const record of records) {
    try {
      const delivery = outboxDeliveryFrom(record, deps.eventSource);
      if (delivery) deliveries.push(delivery);
    } catch (error) {
      if (!(error instanceof MalformedOutboxRowError)) throw error;
      malformed.push({ reason: error.message, record });
    }
  }
  if (malformed.length > 0) {
    await deps.setAside(malformed);
    for (const { reason, record } of malformed) {
      // Coordinates and keys only: the image may hold business data, and the set-aside queue keeps it.
      deps.output(JSON.stringify({
        level: 'ERROR',
        message: 'outbox image set aside',
        reason,
        eventID: record.eventID,
        sequenceNumber: record.dynamodb?.SequenceNumber,
        keys: record.dynamodb?.Keys,
      }));
    }
    deps.output(malformedMetricLine(malformed.length, deps));
  }
  return deliveries;
}

/** One EMF document counting `count` set-aside images for this outbox's enrichment function. */
function malformedMetricLine(count: number, deps: EnrichmentDependencies): string {
  return JSON.stringify({
    level: deps.metricLevel,
    _aws: {
      Timestamp: (deps.now ?? Date.now)(),
      CloudWatchMetrics: [{
        Namespace: OUTBOX_MALFORMED.metricsNamespace,
        Dimensions: [[OUTBOX_MALFORMED.dimension]],
        Metrics: [{ Name: OUTBOX_MALFORMED.metricName, Unit: 'Count' }],
      }],
    },
    [OUTBOX_MALFORMED.dimension]: deps.functionName,
    [OUTBOX_MALFORMED.metricName]: count,
  });
}

/** The message a set-aside image becomes: the reason, the record's stream coordinates and keys, and the record. */
export function setAsideMessage(malformed: MalformedImage): string {
  const { reason, record } = malformed;
  const coordinates = { reason, eventID: record.eventID, sequenceNumber: record.dynamodb?.SequenceNumber, keys: record.dynamodb?.Keys };
  const whole = JSON.stringify({ ...coordinates, record });
  if (Buffer.byteLength(whole, 'utf8') <= OUTBOX_MALFORMED.maxMessageBytes) return whole;
  return JSON.stringify({ ...coordinates, imageOmitted: `the record is over ${OUTBOX_MALFORMED.maxMessageBytes} bytes` });
}
