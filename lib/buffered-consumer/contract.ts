/**
 * The one contract between BufferedEventConsumer / IdempotencyTable and the idempotent consumer runtime: the
 * environment the construct sets and the runtime reads, the enum naming what a message body holds, and the
 * idempotency defaults. It imports nothing, so it compiles into both the jsii library and the runtime helpers.
 */

/** What the rule puts in each SQS message body: one name for the construct prop, the environment and the runtime option. */
export enum BufferedEventInput {
  /** The whole EventBridge event (id, source, detail-type, time, detail...). Lets consumers dedupe by event id. */
  WHOLE_EVENT = 'WHOLE_EVENT',
  /** Only the event's `detail`. */
  DETAIL = 'DETAIL',
}

/** Environment variables the construct sets on the consumer and the runtime reads. */
export const BUFFERED_CONSUMER_ENV = {
  /** One of {@link BufferedEventInput}: how the runtime parses each body. */
  EVENT_INPUT: 'BUFFERED_EVENT_INPUT',
  /**
   * Set with `fifo: true`: the field of the message body that holds what the rule sent (see
   * {@link FIFO_INGEST_BODY_FIELD}); the runtime parses the body and reads that field.
   */
  BODY_FIELD: 'BUFFERED_EVENT_BODY_FIELD',
  /** Name of the idempotency table (set by `IdempotencyTable.grantIdempotency`). */
  IDEMPOTENCY_TABLE_NAME: 'IDEMPOTENCY_TABLE_NAME',
  /** The table's `expiry` in seconds (set by `IdempotencyTable.grantIdempotency`): the runtime's default window. */
  IDEMPOTENCY_EXPIRY_SECONDS: 'IDEMPOTENCY_EXPIRY_SECONDS',
} as const;

/**
 * The field the FIFO ingest pipe wraps each event in: its target template is `{"body": <$.body>}`.
 *
 * A template of just `<$.body>` on an SQS source whose body is JSON delivers it with its inner quotes removed
 * (`{"key": "value"}` becomes `"{key: value}"`); the Pipes guide's fix is to wrap the body in a JSON object
 * ("Amazon EventBridge Pipes input transformation", section "Implicit body data parsing",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html).
 */
export const FIFO_INGEST_BODY_FIELD = 'body';

/** The idempotency table's shape: what Powertools idempotency reads and writes. */
export const IDEMPOTENCY_TABLE_SHAPE = {
  partitionKey: 'id',
  timeToLiveAttribute: 'expiration',
} as const;

/** Defaults the runtime applies. */
export const BUFFERED_CONSUMER_DEFAULTS = {
  eventInput: BufferedEventInput.WHOLE_EVENT,
  /** A day: EventBridge can deliver a retried event up to 24 hours after the first attempt (its maximum event age). */
  idempotencyExpirySeconds: 86_400,
} as const;

/** Metadata key that marks a table as an idempotency store, so rule packs can recognise it. */
export const IDEMPOTENCY_TABLE_MARKER = 'cdk-serverless-patterns:idempotency-table';
