/**
 * The one contract between the TransactionalOutbox construct, its pipe enrichment function and the OutboxWriter
 * runtime: environment variable names, the outbox item's shape, the target kinds, defaults and every limit the
 * construct and the writer enforce. It imports nothing, so it compiles into both the jsii library and the runtime.
 */

/** Where the pipe delivers outbox events. */
export enum OutboxTarget {
  /** An EventBridge event bus: rules fan the events out. A bus does not keep order. */
  EVENT_BUS = 'EVENT_BUS',
  /**
   * An SQS FIFO queue, message group = the event's aggregate id, deduplication id = the event id: one consumer
   * sees the events of each aggregate in the order they were committed.
   */
  FIFO_QUEUE = 'FIFO_QUEUE',
}

/** Names of the environment variables the construct sets on writer functions (`grantWrite`) and on its enrichment. */
export const OUTBOX_ENV = {
  /** Name of the outbox table. */
  TABLE_NAME: 'OUTBOX_TABLE_NAME',
  /** Name of the table's partition key (a string attribute). */
  PARTITION_KEY: 'OUTBOX_PARTITION_KEY',
  /** Name of the table's sort key (a string attribute); unset for a table with a partition key only. */
  SORT_KEY: 'OUTBOX_SORT_KEY',
  /** Name of the table's TTL attribute (epoch seconds). */
  TIME_TO_LIVE_ATTRIBUTE: 'OUTBOX_TIME_TO_LIVE_ATTRIBUTE',
  /** How long an aggregate's outbox item is kept after its latest event, seconds. */
  RETENTION_SECONDS: 'OUTBOX_RETENTION_SECONDS',
  /** The `source` of every event the outbox publishes. */
  EVENT_SOURCE: 'OUTBOX_EVENT_SOURCE',
  /** One of {@link OutboxTarget}. */
  TARGET: 'OUTBOX_TARGET',
  /**
   * The pipe's batch size: with the target's per-request limit it decides the largest event (see maxOutboxEventBytes).
   * Set on writers and, with the target, on the capture enrichment (which sets larger events aside).
   */
  BATCH_SIZE: 'OUTBOX_BATCH_SIZE',
  /** URL of the queue where the enrichment sets aside outbox images it cannot publish (see OUTBOX_MALFORMED). */
  MALFORMED_QUEUE_URL: 'OUTBOX_MALFORMED_QUEUE_URL',
} as const;

/**
 * An outbox image the enrichment cannot publish (written by something other than the OutboxWriter: an attribute
 * missing, a detail that is not a JSON object), or in change-capture mode a captured change the capture enrichment
 * cannot publish (no valid aggregate id or sequence, or an event over {@link maxOutboxEventBytes}: nothing refused it
 * before it was written), must not take the good events of its batch with it: Pipes has no
 * partial batch failure for an enrichment ("Partial batch failure is not supported for enrichment", "Amazon
 * EventBridge Pipes batching and concurrency",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html), so a throw would fail,
 * bisect and finally dead-letter the whole batch, whose DLQ entries hold stream coordinates only. The enrichment
 * instead sends the bad record, with the reason, to a queue of its own, counts it in an EMF metric (below, which the
 * construct alarms on), and returns the rest of the batch. If the queue cannot take it, the enrichment throws and
 * the batch is retried: nothing is dropped.
 */
export const OUTBOX_MALFORMED = {
  /** CloudWatch namespace of the enrichment's metrics. */
  metricsNamespace: 'ServerlessPatterns/TransactionalOutbox',
  /** Count of outbox images set aside. */
  metricName: 'MalformedOutboxImages',
  /** The metric's one dimension: the enrichment function's name (one metric stream per outbox). */
  dimension: 'FunctionName',
  /** SendMessageBatch takes at most 10 entries (SQS API reference). */
  maxBatchEntries: 10,
  /**
   * Largest set-aside message the enrichment sends (SQS's long-standing 256 KiB body limit); above it the image is
   * left out and only the record's coordinates and keys are kept (the image is the outbox item's until its next event).
   */
  maxMessageBytes: 256 * 1024,
} as const;

/**
 * Key prefix of outbox items. Each aggregate has one outbox item, whose successive images carry its events: its sort
 * key (or, in a table without one, its partition key) is `OUTBOX#<aggregate id>`. DynamoDB Streams orders the records
 * of one item, and only of one item (see OUTBOX_ORDERING), so an aggregate's events reach the pipe in the order they
 * were committed. The pipe's filter matches on the prefix, so business items must not use it.
 */
export const OUTBOX_KEY_PREFIX = 'OUTBOX#';

/**
 * Why the order holds, in one place for the code that relies on it:
 * - "DynamoDB Streams ... stream records appear in the same sequence as the actual modifications to the item", for
 *   each item; nothing is said of different items, whose records can sit on different shards that a pipe polls in
 *   parallel (DynamoDB developer guide, "Change data capture for DynamoDB Streams",
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html);
 * - so every event of an aggregate is a new image of that aggregate's one outbox item, and each write increments the
 *   item's sequence in the same update (one item's writes are applied one at a time: "Atomic counters",
 *   https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/WorkingWithItems.html#WorkingWithItems.AtomicCounters);
 * - a transaction may act on an item once ("TransactWriteItems",
 *   https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html), so one transaction
 *   publishes at most one event per aggregate: packing several into one image would let the enrichment return more
 *   entries than the target's batch limit, and then "the pipe won't invoke the target" ("Amazon EventBridge Pipes
 *   batching and concurrency", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html).
 */
export const OUTBOX_ORDERING = {
  /** The first event of an aggregate (or the first after its outbox item expired) has this sequence number. */
  firstSequence: 1,
  /** Events of one aggregate one transaction may carry. */
  maxEventsPerAggregatePerTransaction: 1,
} as const;

/** Attributes of an outbox item besides its keys and TTL: strings, except the sequence (a number). */
export const OUTBOX_ROW_ATTRIBUTES = {
  /** Time-sortable event id (a 26-character ULID). */
  eventId: 'outboxEventId',
  /** The event's `detail-type`. */
  detailType: 'outboxDetailType',
  /** When the event happened, RFC 3339 with milliseconds (`2024-05-01T12:00:00.000Z`). */
  occurredAt: 'outboxOccurredAt',
  /** The aggregate (order, customer...) the event is about: the FIFO message group. */
  aggregateId: 'outboxAggregateId',
  /** The event detail, as the JSON text of the object the writer was given. */
  detail: 'outboxDetail',
  /**
   * The event's place in its aggregate's sequence (a number): 1 for the aggregate's first event, one more for each
   * committed event after it, so a consumer that sees 7 after 5 knows it missed one.
   */
  sequence: 'outboxSequence',
} as const;

/**
 * What the target receives for every outbox event, on a bus (as the event's `detail`) and on a FIFO queue (as the
 * message body): an envelope `{ "metadata": {...}, "data": {...} }` where `data` is the object the writer was given.
 *
 * Why an envelope: the Pipes guide ("Amazon EventBridge Pipes input transformation", sections "Implicit body data
 * parsing" and "Common issues with transforming input",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html) specifies the output
 * of a JSON object template whose values are paths to objects ("to output a JSON object based on a single JSON path
 * variable, you must place it as a key"), and says a path to an object outside such a position loses its internal
 * quotes. So the target template is a JSON object with one path per key, and consumers unwrap `data`.
 */
export const OUTBOX_ENVELOPE = {
  /** Field holding the event's metadata (id, aggregate, sequence, type, time, source). */
  metadataField: 'metadata',
  /** Field holding exactly the object the writer was given. */
  dataField: 'data',
} as const;

/**
 * What the pipe enrichment returns for each outbox item image, and so what the target parameters and template read: the
 * envelope's two objects at the top level (the template places each as the value of its key), and the routing
 * attributes echoed at the paths they have in the stream record (`$.dynamodb.NewImage.<attribute>.S`), so the
 * target's dynamic parameters resolve to the same values whether Pipes evaluates them against the source record or
 * the enrichment's output.
 */
export const OUTBOX_DELIVERY = {
  /** Row attributes echoed under `dynamodb.NewImage`, for the target's dynamic parameters. */
  routingAttributes: [
    OUTBOX_ROW_ATTRIBUTES.eventId,
    OUTBOX_ROW_ATTRIBUTES.detailType,
    OUTBOX_ROW_ATTRIBUTES.occurredAt,
    OUTBOX_ROW_ATTRIBUTES.aggregateId,
  ],
} as const;

/** The target input template: a JSON object whose values are paths to the envelope's two objects. */
// No whitespace between the template's tokens: whether Pipes keeps a template's literal spaces is not documented, and
// the writer and the capture enrichment measure an event as the compact JSON of the envelope (sizes.ts), so a template
// without spaces renders exactly what they measured either way.
export const OUTBOX_INPUT_TEMPLATE =
  `{"${OUTBOX_ENVELOPE.metadataField}":<$.${OUTBOX_ENVELOPE.metadataField}>,"${OUTBOX_ENVELOPE.dataField}":<$.${OUTBOX_ENVELOPE.dataField}>}`;

/**
 * Change-capture mode: the captured item's own stream record is the event (no outbox row). Environment variables the
 * construct sets on the capture enrichment, and the defaults of `OutboxCaptureOptions`.
 */
export const OUTBOX_CAPTURE_ENV = {
  /** JSON array of the attribute names copied into each event's `data`. */
  ATTRIBUTES: 'OUTBOX_CAPTURE_ATTRIBUTES',
  /** The attribute naming an item's type (its value is the event's detail-type). */
  TYPE_ATTRIBUTE: 'OUTBOX_CAPTURE_TYPE_ATTRIBUTE',
  /** The string attribute whose value is the event's aggregate id (the FIFO message group). */
  AGGREGATE_ID_ATTRIBUTE: 'OUTBOX_CAPTURE_AGGREGATE_ID_ATTRIBUTE',
  /** The number attribute the writer increments by one on every write of the item: the event's sequence. */
  SEQUENCE_ATTRIBUTE: 'OUTBOX_CAPTURE_SEQUENCE_ATTRIBUTE',
  /** JSON array of the table's key attribute names (echoed in the metadata: the sequence counts per item). */
  KEY_ATTRIBUTES: 'OUTBOX_CAPTURE_KEY_ATTRIBUTES',
} as const;

/** Defaults of change-capture mode. */
export const OUTBOX_CAPTURE_DEFAULTS = {
  typeAttribute: 'type',
  sequenceAttribute: 'version',
} as const;

/**
 * Stream record changes that carry events, for outbox items and captured items alike: the item was created (INSERT) or
 * changed (MODIFY). A deletion has no new image, so there is nothing to publish.
 */
export const OUTBOX_CAPTURED_CHANGES = ['INSERT', 'MODIFY'] as const;

/** Defaults shared by the construct and the runtime. */
export const OUTBOX_DEFAULTS = {
  /** Partition key of a table the construct creates. */
  partitionKey: 'pk',
  /** Sort key of a table the construct creates. */
  sortKey: 'sk',
  /** TTL attribute of a table the construct creates. */
  timeToLiveAttribute: 'expiresAt',
  /** 14 days, the pipe dead-letter queue's retention: the replay's scan of an expired batch still finds the items. */
  retentionSeconds: 14 * 86_400,
  target: OutboxTarget.EVENT_BUS,
  /**
   * The most a bus (PutEvents) or an SQS queue (SendMessageBatch) accepts per call. A whole batch is one request, so
   * the batch size divides the request limit among events: see {@link maxOutboxEventBytes}.
   */
  batchSize: 10,
  maximumRetryAttempts: 10,
  /** An hour: long enough to ride out a short target outage, short enough to dead-letter well before the stream's 24 h. */
  maximumRecordAgeSeconds: 3_600,
} as const;

/** Limits of the services involved, each with its source. */
export const OUTBOX_LIMITS = {
  /** TransactWriteItems: at most 100 actions (DynamoDB API reference, TransactWriteItems). */
  maxTransactionActions: 100,
  /** TransactWriteItems: the aggregate size of the items in one transaction is at most 4 MB. */
  maxTransactionBytes: 4 * 1024 * 1024,
  /** DynamoDB: an item is at most 400 KB, attribute names included (Service quotas, Items). */
  maxItemBytes: 400 * 1024,
  /**
   * The most one outbox event may be, on either target: a PutEvents entry is at most 256 KB, computed as in
   * "Calculating PutEvents event entry size" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-putevent-size.html).
   * SQS takes messages up to 1 MiB, but the outbox keeps FIFO message bodies within the same 256 KiB, so a row
   * committed under one target can still be published after a switch to the other.
   */
  maxEventEntryBytes: 256 * 1024,
  /**
   * EventBridge PutEvents: the entry sizes of one request, summed, are at most 256 KB ("The total entry size must be
   * less than 256KB", same page). Pipes sends a whole batch to a bus as one PutEvents request
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html).
   */
  maxPutEventsRequestBytes: 256 * 1024,
  /**
   * SQS SendMessageBatch: "the maximum total payload size (the sum of the individual lengths of all of the batched
   * messages)" is 1 MiB (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html).
   * Pipes sends a whole batch to a queue as one SendMessageBatch request.
   */
  maxSendMessageBatchBytes: 1024 * 1024,
  /** EventBridge: detail-type is 1 to 128 characters (PutEventsRequestEntry). */
  maxDetailTypeLength: 128,
  /** EventBridge: source is 1 to 256 characters (PutEventsRequestEntry). */
  maxSourceLength: 256,
  /** SQS: MessageGroupId is 1 to 128 characters (SendMessage). */
  maxMessageGroupIdLength: 128,
  /** DynamoDB: ClientRequestToken is 1 to 36 characters (TransactWriteItems). */
  maxClientRequestTokenLength: 36,
  /** Pipes: batch size of a pipe into an event bus or an SQS queue (Pipes batching and concurrency). */
  maxBatchSize: 10,
  /** Pipes DynamoDB stream source: MaximumRetryAttempts is -1 (infinite) to 10,000. */
  maxRetryAttempts: 10_000,
  /** Pipes DynamoDB stream source: MaximumRecordAgeInSeconds is -1 (infinite) or 60 to 604,800. */
  minRecordAgeSeconds: 60,
  maxRecordAgeSeconds: 604_800,
  /** Pipes source: MaximumBatchingWindowInSeconds is 0 to 300. */
  maxBatchingWindowSeconds: 300,
  /** DynamoDB Streams keeps a record 24 hours; an unprocessed record older than that is trimmed, not dead-lettered. */
  streamRetentionSeconds: 86_400,
} as const;

/** The per-request limit of a target, bytes: what one pipe batch (one request) may carry in all. */
export function outboxRequestByteLimit(target: OutboxTarget): number {
  return target === OutboxTarget.FIFO_QUEUE ? OUTBOX_LIMITS.maxSendMessageBatchBytes : OUTBOX_LIMITS.maxPutEventsRequestBytes;
}

/**
 * The largest event the writer accepts, bytes as the target counts them (the PutEvents entry size on a bus, the
 * message body on a FIFO queue): the target's per-request limit shared among the events of a full batch, and never
 * more than {@link OUTBOX_LIMITS.maxEventEntryBytes}. So no batch the pipe can form exceeds the request limit:
 * `batchSize` events of this size sum to at most the limit. The construct checks `maxEventSize` against it at synth and
 * gives writers the batch size; the writer refuses, before committing, an event above it.
 */
export function maxOutboxEventBytes(target: OutboxTarget, batchSize: number): number {
  return Math.min(OUTBOX_LIMITS.maxEventEntryBytes, Math.floor(outboxRequestByteLimit(target) / batchSize));
}
