/**
 * A Lambda handler for SQS FIFO queues that keeps message-group order when some records fail, built on the
 * Powertools batch processor for FIFO queues, and hands each record to user code with its JSON body parsed.
 */
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EVENT_TYPE_ATTRIBUTE } from './fifo-message';
import { asError, describeThrownValue } from './thrown-value';

/** One SQS FIFO record with its body parsed and the FIFO metadata lifted out of `attributes`. */
export interface FifoRecord<T = unknown> {
  /** The message body, parsed (by default with `JSON.parse`). */
  readonly body: T;
  /** SQS message id; the identifier reported back for a failed record. */
  readonly messageId: string;
  /** Records of one group are handed over in order; see {@link fifoBatchHandler} for what happens on failure. */
  readonly messageGroupId: string;
  /** The deduplication id the publisher set (or SNS/SQS derived from the content). */
  readonly deduplicationId?: string;
  /** Position of the message in its group, increasing within a group. */
  readonly sequenceNumber?: string;
  /**
   * The `eventType` message attribute set by `FifoPublisher`. Present when the SNS subscription uses raw message
   * delivery (FifoFanout always enables it); without raw delivery attributes travel inside the SNS envelope body.
   */
  readonly eventType?: string;
  /** How many times SQS has handed this message out, this delivery included. */
  readonly receiveCount: number;
  /** The record exactly as Lambda delivered it. */
  readonly record: SQSRecord;
}

/**
 * Processes one record. Throwing (or rejecting) marks the record failed, whatever is thrown (a value that is not an
 * Error reaches the logger wrapped in a `NonErrorThrownError`); see {@link fifoBatchHandler}.
 */
export type FifoRecordHandler<T = unknown> = (record: FifoRecord<T>, context?: Context) => Promise<void> | void;

/** Where failed records are logged. `console` and a Powertools `Logger` both fit. */
export interface FifoBatchLogger {
  /** Called once per record whose handler threw, with the error and the record's ids. */
  error(message: string, ...details: unknown[]): void;
}

/** Options of {@link fifoBatchHandler}. */
export interface FifoBatchHandlerOptions<T = unknown> {
  /**
   * When false, the first failure stops the batch: that record and every later record are reported failed, whatever
   * their group, so nothing is processed out of order. When true, only the failing record's group stops: its later
   * records are reported failed without being processed, and records of other groups are still processed. Turn it on
   * when groups are independent (e.g. one group per entity) so one poison message does not delay unrelated groups.
   * @default false
   */
  readonly skipGroupOnError?: boolean;
  /**
   * Throw when every record of the batch failed instead of returning them all in `batchItemFailures`. Either way
   * every record is retried; throwing also counts as a Lambda error (Errors metric, and the SQS poller backs off),
   * while returning keeps the invocation successful so only the queue's redrive policy and DLQ alarms see it.
   * @default false
   */
  readonly throwOnFullBatchFailure?: boolean;
  /**
   * Turns the raw body into the value handed to the record handler, e.g. to validate it with a schema. A throw marks
   * the record failed.
   * @default JSON.parse
   */
  readonly parseBody?: (body: string, record: SQSRecord) => T;
  /**
   * Receives one entry per record whose parsing or handler failed. Records skipped because an earlier one failed are
   * not logged.
   * @default console
   */
  readonly logger?: FifoBatchLogger;
}

/** The Lambda handler returned by {@link fifoBatchHandler}. */
export type FifoBatchHandler = (event: SQSEvent, context?: Context) => Promise<SQSBatchResponse>;

/** Why a record's body could not be handed to the record handler. The record is reported failed. */
export class FifoRecordParseError extends Error {
  /** SQS message id of the record. */
  public readonly messageId: string;

  constructor(messageId: string, reason: string) {
    super(`Cannot parse the body of SQS message ${messageId}: ${reason}`);
    this.name = 'FifoRecordParseError';
    this.messageId = messageId;
  }
}

/** A record without `MessageGroupId` does not come from a FIFO queue, so no ordering guarantee applies to it. */
export class NotAFifoRecordError extends Error {
  /** SQS message id of the record. */
  public readonly messageId: string;

  constructor(messageId: string) {
    super(`SQS message ${messageId} has no MessageGroupId: fifoBatchHandler must consume an SQS FIFO queue`);
    this.name = 'NotAFifoRecordError';
    this.messageId = messageId;
  }
}

/**
 * Builds a Lambda handler for an SQS FIFO event source with `reportBatchItemFailures` on.
 *
 * Records are processed one at a time, in the order Lambda delivered them, and the handler returns
 * `{ batchItemFailures }` listing the records SQS must deliver again:
 *
 * - default: after the first failure, that record and every later record of the batch are reported failed, in
 *   order, and the record handler is not called for them.
 * - `skipGroupOnError: true`: after a failure, only the later records of the failing record's message group are
 *   reported failed (without being processed); other groups carry on.
 *
 * A body that cannot be parsed counts as a failure of that record, like a throw from the record handler.
 *
 * @example
 * export const handler = fifoBatchHandler<JobEvent>(async (record) => {
 *   await saveJob(record.body);
 * }, { skipGroupOnError: true });
 */
export function fifoBatchHandler<T = unknown>(
  recordHandler: FifoRecordHandler<T>,
  options: FifoBatchHandlerOptions<T> = {},
): FifoBatchHandler {
  const parseBody = options.parseBody ?? ((body: string) => JSON.parse(body) as T);
  const logger = options.logger ?? console;

  const processRecord = async (record: SQSRecord, context?: Context): Promise<void> => {
    try {
      await recordHandler(toFifoRecord(record, parseBody), context);
    } catch (thrown) {
      // Whatever was thrown fails this record only: the batch processor cannot handle null or undefined.
      const error = asError(thrown);
      logger.error('FIFO record failed', {
        messageId: record.messageId,
        messageGroupId: record.attributes?.MessageGroupId,
        error: { name: error.name, message: error.message },
      });
      throw error;
    }
  };

  return async (event, context) => {
    // A processor per invocation: it holds per-batch state, and tests or local runners may overlap invocations.
    const processor = new SqsFifoPartialProcessorAsync();
    const response = await processPartialResponse(event, processRecord, processor, {
      context,
      skipGroupOnError: options.skipGroupOnError ?? false,
      throwOnFullBatchFailure: options.throwOnFullBatchFailure ?? false,
    });
    return { batchItemFailures: response.batchItemFailures.map(({ itemIdentifier }) => ({ itemIdentifier })) };
  };
}

function toFifoRecord<T>(record: SQSRecord, parseBody: (body: string, record: SQSRecord) => T): FifoRecord<T> {
  const messageGroupId = record.attributes?.MessageGroupId;
  if (!messageGroupId) throw new NotAFifoRecordError(record.messageId);

  let body: T;
  try {
    body = parseBody(record.body, record);
  } catch (error) {
    throw new FifoRecordParseError(record.messageId, error instanceof Error ? error.message : describeThrownValue(error));
  }
  return {
    body,
    messageId: record.messageId,
    messageGroupId,
    deduplicationId: record.attributes.MessageDeduplicationId,
    sequenceNumber: record.attributes.SequenceNumber,
    eventType: record.messageAttributes?.[EVENT_TYPE_ATTRIBUTE]?.stringValue,
    receiveCount: Number(record.attributes.ApproximateReceiveCount ?? '1'),
    record,
  };
}
