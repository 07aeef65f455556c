/**
 * Both pipe enrichments of the TransactionalOutbox (outbox rows and change capture) turn a batch of stream records
 * into deliveries. A record that cannot be published must not take the good events of its batch with it (see
 * OUTBOX_MALFORMED in the contract): it is set aside on the malformed-image queue, logged by its coordinates, counted
 * in the EMF metric the construct alarms on, and the rest of the batch is returned.
 */
import { OUTBOX_MALFORMED } from '../../../lib/transactional-outbox/contract';

/** The parts of a stream record the set-aside message and log line name (its stream coordinates and keys). */
export interface SetAsideStreamRecord {
  readonly eventID?: string;
  readonly dynamodb?: { readonly SequenceNumber?: string; readonly Keys?: unknown };
}

/** A record the enrichment could not publish, and why. */
export interface MalformedImage {
  readonly reason: string;
  readonly record: SetAsideStreamRecord;
}

/** Where malformed images go; it must throw if it could not keep them all (the batch is then retried). */
export type SetAside = (malformed: readonly MalformedImage[]) => Promise<void>;

/** Receives one line of output (an EMF document or a log line); no trailing newline. */
export type LineSink = (line: string) => void;

/** Where an enrichment sets records aside and reports them. */
export interface SetAsideDependencies {
  readonly setAside: SetAside;
  /** Where the metric and the error log lines go (stdout in Lambda). */
  readonly output: LineSink;
  /** The enrichment function's name, the metric's dimension. */
  readonly functionName: string;
  /** The `level` metric lines carry, so Lambda's log-level filter keeps them. */
  readonly metricLevel: string;
  readonly now?: () => number;
}

/**
 * The delivery of each record (`convert` returns undefined for a record that carries no event), in order. A record
 * whose conversion throws an error `isUnpublishable` recognizes is set aside with the error's message as the reason;
 * any other error fails the batch. Malformed records are set aside before anything is returned, so none is lost if
 * that fails.
 */
export async function deliverOrSetAside<TRecord extends SetAsideStreamRecord, TDelivery>(
  records: readonly TRecord[],
  convert: (record: TRecord) => TDelivery | undefined,
  isUnpublishable: (error: unknown) => error is Error,
  deps: SetAsideDependencies,
): Promise<TDelivery[]> {
  const deliveries: TDelivery[] = [];
  const malformed: MalformedImage[] = [];
  for (const record of records) {
    try {
      const delivery = convert(record);
      if (delivery !== undefined) deliveries.push(delivery);
    } catch (error) {
      if (!isUnpublishable(error)) throw error;
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
function malformedMetricLine(count: number, deps: SetAsideDependencies): string {
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
