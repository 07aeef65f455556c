/**
 * A Lambda handler factory for SQS batches that an EventBridge rule fills (the BufferedEventConsumer pattern):
 * Powertools batch processing reports each failed message on its own (partial batch responses), and Powertools
 * idempotency, backed by DynamoDB, skips a redelivered message whose first run completed. At least once, not exactly
 * once: the logic runs again when marking a record COMPLETED fails, when an invocation dies after the logic's side
 * effect (once its in-progress record expires), and for a duplicate older than `expiresAfterSeconds`.
 */
import {
  BatchProcessor,
  EventType,
  processPartialResponse,
  SqsFifoPartialProcessorAsync,
} from '@aws-lambda-powertools/batch';
import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { BasePersistenceLayer } from '@aws-lambda-powertools/idempotency/persistence';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { EventRecord, parseEventRecord } from './event-record';
import type { IdempotencyKeySource } from './idempotency-key';
import { keyPlanFor } from './idempotency-key-plan';
import { asError, describeThrownValue } from './thrown-value';
import { BUFFERED_CONSUMER_DEFAULTS, BUFFERED_CONSUMER_ENV, BufferedEventInput } from '../../lib/buffered-consumer/contract';

/**
 * The environment the construct sets and this consumer reads: `IDEMPOTENCY_TABLE_NAME` (set by the IdempotencyTable
 * construct's grant) and `BUFFERED_EVENT_INPUT` (what the rule target puts in the message body).
 */
export { BUFFERED_CONSUMER_ENV, BufferedEventInput } from '../../lib/buffered-consumer/contract';
// What a record handler receives and may throw, so one import gives a handler everything it needs.
export { MalformedMessageError, parseEventRecord } from './event-record';
export type { EventRecord } from './event-record';
export { defaultIdempotencyKey, MissingIdempotencyKeyError } from './idempotency-key';
export type { IdempotencyKeyFunction, IdempotencyKeySource } from './idempotency-key';

/** How long a completed record suppresses duplicates unless told otherwise (a day: EventBridge's maximum event age). */
export const DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS = BUFFERED_CONSUMER_DEFAULTS.idempotencyExpirySeconds;

/**
 * The business logic for one record. Resolve to mark the record done; throw (or reject) to have SQS redeliver it.
 * Its return value is ignored and never stored: the batch response needs only success or failure, and storing
 * arbitrary results could exceed DynamoDB's 400 KB item size after the side effect already happened.
 */
export type EventRecordHandler<TDetail = unknown> = (record: EventRecord<TDetail>, context: Context) => unknown;

/** A Lambda handler for SQS events that answers with the messages to retry. */
export type SqsBatchResponseHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/**
 * Where the consumer reports record failures and skipped duplicates. `console` and a Powertools `Logger` both fit.
 */
export interface IdempotentConsumerLogger {
  /** A duplicate was recognised and skipped. */
  info(message: string, details: Record<string, unknown>): void;
  /** A configuration the consumer corrected for itself. */
  warn(message: string, details: Record<string, unknown>): void;
  /** A record failed and will be redelivered by SQS (or go to its DLQ). */
  error(message: string, details: Record<string, unknown>): void;
}

/** Options of {@link idempotentBatchHandler}. */
export interface IdempotentBatchHandlerOptions<TDetail = unknown> {
  /**
   * The idempotency table (partition key `id` of type string, TTL attribute `expiration`).
   * @default the value of the `IDEMPOTENCY_TABLE_NAME` environment variable
   */
  readonly tableName?: string;
  /**
   * The DynamoDB client for the idempotency table, e.g. one with custom retries or a local endpoint.
   * @default a client Powertools creates from the Lambda environment
   */
  readonly dynamoDbClient?: DynamoDBClient;
  /**
   * A ready persistence layer (any Powertools persistence layer); replaces `tableName` and `dynamoDbClient`.
   * Give each handler its own instance: Powertools configures a persistence layer once, from its first user.
   * @default a DynamoDBPersistenceLayer on `tableName`
   */
  readonly persistenceStore?: BasePersistenceLayer;
  /**
   * What the message body holds: the whole EventBridge event or only its detail.
   * @default the value of the `BUFFERED_EVENT_INPUT` environment variable, else `BufferedEventInput.WHOLE_EVENT`
   */
  readonly input?: BufferedEventInput;
  /**
   * The field of the parsed body that holds the event (or detail): a BufferedEventConsumer with `fifo: true` wraps
   * each body in `{"body": ...}` (see FIFO_INGEST_BODY_FIELD) and sets this in the environment.
   * @default the value of the `BUFFERED_EVENT_BODY_FIELD` environment variable, else the body itself is the event
   */
  readonly bodyField?: string;
  /**
   * What identifies a duplicate: a JMESPath expression over the parsed body, or a function of the record.
   * @default the event id for whole-event bodies, the SQS message id for detail-only bodies
   */
  readonly idempotencyKey?: IdempotencyKeySource<TDetail>;
  /**
   * How long, in seconds, a completed record keeps suppressing duplicates. The default covers EventBridge's retries
   * (up to its 24-hour maximum event age); raise it if you redrive dead-letter queues later than that and must not
   * run a redriven duplicate again.
   * @default - `IDEMPOTENCY_EXPIRY_SECONDS` (the IdempotencyTable's `expiry`, set by `grantIdempotency`), else 86400 (24 hours)
   */
  readonly expiresAfterSeconds?: number;
  /**
   * Prefix of every key in the table. Two functions consuming the same event must not share a prefix, or the
   * second would skip events the first already handled.
   * @default the function name (`AWS_LAMBDA_FUNCTION_NAME`), as Powertools does
   */
  readonly keyPrefix?: string;
  /**
   * Run the records of a batch concurrently instead of one after another.
   *
   * Off by default because this pattern exists to protect a rate-limited downstream: the event source's
   * `maxConcurrency` bounds concurrent batches, and running records in parallel would multiply the request rate by
   * the batch size behind its back. Sequential runs also keep the batch's order and let a duplicate later in the
   * same batch see the first copy's completed record (in parallel it sees it in progress, fails and is retried).
   * Ignored (with a warning) for FIFO queues, where order within a message group must hold.
   * @default false
   */
  readonly processInParallel?: boolean;
  /**
   * Fail the whole invocation when every record of a batch failed, instead of listing them all as failures.
   * A fully failed batch usually means the downstream is down; an invocation error makes the SQS event source back
   * off (fewer concurrent batches) and shows in the function's `Errors` metric, while a response listing every
   * record as failed does neither. SQS redelivers the same messages either way.
   * @default true
   */
  readonly throwOnFullBatchFailure?: boolean;
  /**
   * Where record failures and skipped duplicates are logged.
   * @default console
   */
  readonly logger?: IdempotentConsumerLogger;
}

/**
 * Wraps a per-record business handler into a Lambda handler for SQS batches from an EventBridge rule.
 *
 * Each record is parsed ({@link EventRecord}), keyed, and run through Powertools idempotency: the first delivery
 * writes an in-progress item, runs `recordHandler`, then marks the item completed; a later delivery with the same
 * key within `expiresAfterSeconds` succeeds without running it again. A record that throws — including a body that
 * is not JSON — is reported in `batchItemFailures` and its in-progress item is deleted, so the retry runs it again.
 * The in-progress item expires with the invocation's remaining time, so a delivery that died with a timed-out
 * invocation is retried instead of being blocked until the full expiry.
 *
 * Records run one at a time, in batch order, unless `processInParallel` is set: the buffer exists to pace a
 * rate-limited downstream, and parallel records would multiply its request rate by the batch size.
 *
 * FIFO queues (detected from the event source ARN) are processed in order; after a failure the rest of that
 * message group in the batch is failed without running, while other groups continue.
 *
 * Build it once at module scope: it holds the DynamoDB client and configuration for the environment's lifetime.
 *
 * @example
 * export const handler = idempotentBatchHandler<OrderPlaced>(async (record) => {
 *   await reserveStock(record.detail.orderId);
 * });
 */
export function idempotentBatchHandler<TDetail = unknown>(
  recordHandler: EventRecordHandler<TDetail>,
  options: IdempotentBatchHandlerOptions<TDetail> = {},
): SqsBatchResponseHandler {
  const logger = options.logger ?? console;
  const input = resolveInput(options.input);
  const bodyField = options.bodyField ?? (process.env[BUFFERED_CONSUMER_ENV.BODY_FIELD] || undefined);
  const keyPlan = keyPlanFor(options.idempotencyKey);
  const config = new IdempotencyConfig({
    eventKeyJmesPath: keyPlan.eventKeyJmesPath,
    // Processing a record without a key would quietly lose duplicate suppression; failing it is visible.
    throwOnNoIdempotencyKey: true,
    expiresAfterSeconds: resolveExpiry(options.expiresAfterSeconds),
  });
  const persistenceStore = options.persistenceStore ?? createPersistenceStore(options);

  const runOnce = makeIdempotent(
    async (_keyPayload: Record<string, unknown>, record: EventRecord<TDetail>, context: Context, ran: RunFlag) => {
      ran.value = true;
      try {
        await recordHandler(record, context);
      } catch (thrown) {
        // Powertools would replace a non-Error with its own unknown-error wrapper; keep what was thrown instead.
        throw asError(thrown);
      }
      // Nothing is stored as the result (see EventRecordHandler).
      return undefined;
    },
    { persistenceStore, config, keyPrefix: options.keyPrefix, dataIndexArgument: 0 },
  );

  return async (event, context) => {
    // In-progress items then expire when this invocation would time out, not after the full expiry.
    config.registerLambdaContext(context);
    const fifo = isFifoBatch(event);
    if (fifo && options.processInParallel) {
      logger.warn('processInParallel is ignored for a FIFO queue: records of a message group must run in order', {
        eventSourceARN: event.Records[0]?.eventSourceARN,
      });
    }

    const processRecord = async (raw: SQSRecord) => {
      const ran: RunFlag = { value: false };
      try {
        const record = parseEventRecord<TDetail>(raw, input, bodyField);
        await runOnce(keyPlan.payloadFor(record), record, context, ran);
      } catch (thrown) {
        // Whatever was thrown (by the handler, a key function, ...) fails this record only: the batch processor
        // cannot handle null or undefined.
        const error = asError(thrown);
        logger.error('record failed and will be retried', { messageId: raw.messageId, error: describeError(error) });
        throw error;
      }
      if (!ran.value) logger.info('duplicate skipped: already processed', { messageId: raw.messageId });
    };

    const throwOnFullBatchFailure = options.throwOnFullBatchFailure ?? true;
    // A new processor per invocation: processors keep the batch's records and results between calls.
    if (fifo) {
      return processPartialResponse(event, processRecord, new SqsFifoPartialProcessorAsync(), {
        context,
        skipGroupOnError: true,
        throwOnFullBatchFailure,
      });
    }
    return processPartialResponse(event, processRecord, new BatchProcessor(EventType.SQS), {
      context,
      processInParallel: options.processInParallel ?? false,
      throwOnFullBatchFailure,
    });
  };
}

interface RunFlag {
  value: boolean;
}

function createPersistenceStore(options: { tableName?: string; dynamoDbClient?: DynamoDBClient }): BasePersistenceLayer {
  const tableName = options.tableName ?? process.env[BUFFERED_CONSUMER_ENV.IDEMPOTENCY_TABLE_NAME];
  if (!tableName) {
    throw new Error(
      `idempotentBatchHandler: no idempotency table: set the ${BUFFERED_CONSUMER_ENV.IDEMPOTENCY_TABLE_NAME} environment variable ` +
        '(IdempotencyTable.grantIdempotency does) or pass tableName',
    );
  }
  return new DynamoDBPersistenceLayer({ tableName, awsSdkV3Client: options.dynamoDbClient });
}

function resolveInput(fromOptions: BufferedEventInput | undefined): BufferedEventInput {
  const envName = BUFFERED_CONSUMER_ENV.EVENT_INPUT;
  const value = fromOptions ?? process.env[envName] ?? BUFFERED_CONSUMER_DEFAULTS.eventInput;
  const allowed = Object.values(BufferedEventInput) as string[];
  if (!allowed.includes(value)) {
    throw new Error(
      `idempotentBatchHandler: event input '${value}' is not one of ${allowed.join(', ')} ` +
        `(from ${fromOptions ? 'the input option' : `the ${envName} environment variable`})`,
    );
  }
  return value as BufferedEventInput;
}

function resolveExpiry(seconds: number | undefined): number {
  const fromEnv = process.env[BUFFERED_CONSUMER_ENV.IDEMPOTENCY_EXPIRY_SECONDS];
  const value = seconds ?? (fromEnv ? Number(fromEnv) : DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`idempotentBatchHandler: expiresAfterSeconds must be a positive whole number, got ${value}`);
  }
  return value;
}

function isFifoBatch(event: SQSEvent): boolean {
  return event.Records?.[0]?.eventSourceARN?.endsWith('.fifo') ?? false;
}

function describeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: describeThrownValue(error) };
  const cause = error.cause instanceof Error ? { name: error.cause.name, message: error.cause.message } : undefined;
  return { name: error.name, message: error.message, ...(cause && { cause }) };
}
