/**
 * Replays the outbox pipe's dead-letter queue. For a DynamoDB stream source the pipe dead-letters batch metadata
 * only: the shard, the first and last sequence numbers and the stream ARN (`DDBStreamBatchInfo`), not the records
 * ("Amazon EventBridge Pipes error handling and troubleshooting", section "Pipe DLQ behavior",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-error-troubleshooting.html). The replayer turns each
 * message back into its events and republishes them with their original event ids, the way the pipe would have:
 *
 * 1. Within the stream's 24 hours (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html, "Data
 *    in a DynamoDB stream is retained for 24 hours") it reads the shard from the first to the last sequence number and
 *    takes each event from the stream record's own new image, with the pipe's filter and the enrichment's mapping
 *    (`outboxDeliveryFrom`). Never from the table: an aggregate has one outbox item, and by now it may carry a later
 *    event than the dead-lettered one.
 * 2. After that, the records are gone, the metadata carries no keys, and the table holds each aggregate's latest event
 *    only. With `ExpiredBatchPolicy.SCAN_TIME_WINDOW` it republishes the outbox items whose current event id (a ULID,
 *    time-ordered) falls in the batch's arrival window, a superset (events of other shards, already delivered ones)
 *    that consumers drop by event id, and lists the aggregates whose outbox item has moved past an event that may have
 *    been in the window (current event in the window or later, sequence above the first): such an event was
 *    overwritten and cannot be recovered. If there is any, the message is kept (`ReplayOutcome.PARTIAL`). By default
 *    an expired message is kept and reported.
 * 3. It publishes the events as the pipe does (same envelope, detail-type, time, resources; on a FIFO queue the same
 *    message group and deduplication id = event id, so SQS drops a replay within its 5-minute deduplication window),
 *    and deletes the dead-letter message only after every one of its events was accepted by the target.
 */
import { DynamoDBClient, ScanCommand, ScanCommandInput, ScanCommandOutput } from '@aws-sdk/client-dynamodb';
import {
  _Record as StreamRecord, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  DeleteMessageCommand, Message, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageBatchRequestEntry, SQSClient,
} from '@aws-sdk/client-sqs';
import { eventIdRange } from './event-id';
import { isOutboxImage, OutboxDelivery, outboxDeliveryFrom, OutboxStreamRecord, StreamImage } from './outbox-row';
import { eventEntryBytes, utf8Bytes } from './sizes';
import { OUTBOX_CAPTURED_CHANGES, OUTBOX_LIMITS, OUTBOX_ORDERING, OUTBOX_ROW_ATTRIBUTES } from '../../../lib/transactional-outbox/contract';

/** The batch coordinates a pipe dead-letters for a DynamoDB stream source. */
export interface StreamBatchInfo {
  readonly streamArn: string;
  readonly shardId: string;
  readonly startSequenceNumber: string;
  readonly endSequenceNumber: string;
  /** When the first record reached the stream (RFC 3339). */
  readonly approximateArrivalOfFirstRecord: string;
  /** When the last record reached the stream (RFC 3339). */
  readonly approximateArrivalOfLastRecord: string;
}

/** A dead-letter message that is not a DynamoDB stream batch (another source, or a hand-made message). */
export class NotAStreamBatchError extends Error {
  constructor(reason: string) {
    super(`not a DynamoDB stream batch from a pipe: ${reason}`);
    this.name = 'NotAStreamBatchError';
  }
}

/** Reads `DDBStreamBatchInfo` from a pipe dead-letter message body. */
export function streamBatchInfoOf(body: string): StreamBatchInfo {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new NotAStreamBatchError('the body is not JSON');
  }
  const info = (parsed as { DDBStreamBatchInfo?: Record<string, unknown> } | null)?.DDBStreamBatchInfo;
  if (typeof info !== 'object' || info === null) throw new NotAStreamBatchError('no DDBStreamBatchInfo');
  const fields = ['streamArn', 'shardId', 'startSequenceNumber', 'endSequenceNumber', 'approximateArrivalOfFirstRecord', 'approximateArrivalOfLastRecord'];
  for (const field of fields) {
    if (typeof info[field] !== 'string' || info[field] === '') throw new NotAStreamBatchError(`DDBStreamBatchInfo.${field} is missing`);
  }
  return info as unknown as StreamBatchInfo;
}

/** What to do with a message whose records have left the stream (24 hours after they were written). */
export enum ExpiredBatchPolicy {
  /** Keep the message and report it: nothing is published. */
  KEEP = 'KEEP',
  /**
   * Scan the table for outbox items whose current event was made in the batch's arrival window and republish them
   * (a superset); aggregates that may have overwritten an event of the window since are listed, not recovered.
   */
  SCAN_TIME_WINDOW = 'SCAN_TIME_WINDOW',
}

/** What happened to one dead-letter message. */
export enum ReplayOutcome {
  /** Every event was republished and the message deleted (or, in a dry run, would be). */
  REPLAYED = 'REPLAYED',
  /** Left in the queue: its records left the stream (with ExpiredBatchPolicy.KEEP). */
  KEPT = 'KEPT',
  /**
   * Left in the queue after an expired batch was scanned: the events still in the table were republished, but some
   * aggregates may have overwritten an event of the window with a later one, which is lost (see `unrecoverable`).
   */
  PARTIAL = 'PARTIAL',
  /** Left in the queue: reading or publishing failed; it becomes visible again and can be replayed later. */
  FAILED = 'FAILED',
}

/** The report for one dead-letter message. */
export interface ReplayedMessage {
  readonly messageId: string;
  readonly outcome: ReplayOutcome;
  /** The event ids republished (or found, when kept or failed), in stream order. */
  readonly eventIds: readonly string[];
  /** Why the message was kept or failed. */
  readonly reason?: string;
  /** After a scan of an expired batch: what the table no longer holds. */
  readonly unrecoverable?: UnrecoverableEvents;
}

/**
 * The outbox items whose current event was made in an expired batch's window or later and is not their aggregate's
 * first. Each overwrote an earlier event, which may have been one of the batch's: the table holds an aggregate's latest
 * event only, and does not say when the earlier ones were made. An upper bound, not a proof of loss.
 */
export interface UnrecoverableEvents {
  /** How many aggregates may have lost an event of the window to a later one. */
  readonly aggregatesMovedPast: number;
  /** Their aggregate ids, the first 100 in id order. */
  readonly aggregateIds: readonly string[];
}

/** The most aggregate ids a report lists. */
const MAX_REPORTED_AGGREGATES = 100;

/** Options of an {@link OutboxReplayer}. */
export interface OutboxReplayerOptions {
  /** The pipe's dead-letter queue (the construct's `deadLetterQueue`). */
  readonly deadLetterQueueUrl: string;
  /**
   * The outbox table: read (Scan) only for expired batches with ExpiredBatchPolicy.SCAN_TIME_WINDOW, which needs it.
   * @default none
   */
  readonly tableName?: string;
  /** The outbox's `eventSource`. */
  readonly eventSource: string;
  /** The bus the outbox publishes to (name or ARN), for a bus target. Give this or `queueUrl`. */
  readonly eventBusName?: string;
  /** The FIFO queue the outbox publishes to, for a queue target. Give this or `eventBusName`. */
  readonly queueUrl?: string;
  /** @default ExpiredBatchPolicy.KEEP */
  readonly expiredBatches?: ExpiredBatchPolicy;
  /** How long a received message stays invisible to other readers while it is replayed. @default 300 seconds */
  readonly visibilityTimeoutSeconds?: number;
  /** Resolve and report, but publish and delete nothing. @default false */
  readonly dryRun?: boolean;
  readonly sqs?: SQSClient;
  readonly dynamodb?: DynamoDBClient;
  readonly streams?: DynamoDBStreamsClient;
  readonly eventBridge?: EventBridgeClient;
  /** @default Date.now */
  readonly now?: () => number;
}

/** How long before a batch's first arrival its event ids can have been made: a writer retries a prepared transaction for up to 10 minutes. */
const ID_WINDOW_BEFORE_MS = 15 * 60_000;
/** Arrival times are approximate (whole seconds). */
const ID_WINDOW_AFTER_MS = 60_000;
/** Empty GetRecords pages tolerated before a shard read is given up (DynamoDB Streams may return empty pages mid-shard). */
const MAX_EMPTY_PAGES = 10;

/** A batch whose records could not be turned into events, with the ids found so far. */
class KeptBatchError extends Error {
  constructor(message: string, public readonly outcome: ReplayOutcome, public readonly eventIds: readonly string[] = []) {
    super(message);
  }
}

/** The events a batch resolved to, and what could not be recovered. */
interface ResolvedBatch {
  readonly deliveries: OutboxDelivery[];
  readonly unrecoverable?: UnrecoverableEvents;
}

/** Replays the outbox pipe's dead-letter queue (see the module comment). */
export class OutboxReplayer {
  private readonly sqs: SQSClient;
  private readonly dynamodb: DynamoDBClient;
  private readonly streams: DynamoDBStreamsClient;
  private readonly eventBridge: EventBridgeClient;
  private readonly now: () => number;

  constructor(private readonly options: OutboxReplayerOptions) {
    if ((options.eventBusName === undefined) === (options.queueUrl === undefined)) {
      throw new Error('OutboxReplayer: give exactly one of eventBusName (bus target) and queueUrl (FIFO queue target)');
    }
    if (options.expiredBatches === ExpiredBatchPolicy.SCAN_TIME_WINDOW && options.tableName === undefined) {
      throw new Error('OutboxReplayer: ExpiredBatchPolicy.SCAN_TIME_WINDOW scans the outbox table: give tableName');
    }
    this.sqs = options.sqs ?? new SQSClient({});
    this.dynamodb = options.dynamodb ?? new DynamoDBClient({});
    this.streams = options.streams ?? new DynamoDBStreamsClient({});
    this.eventBridge = options.eventBridge ?? new EventBridgeClient({});
    this.now = options.now ?? Date.now;
  }

  /** Replays every message in the queue (each at most once per call), up to `maxMessages`. */
  public async replayAll(maxMessages = Number.POSITIVE_INFINITY): Promise<ReplayedMessage[]> {
    const reports: ReplayedMessage[] = [];
    const seen = new Set<string>();
    while (reports.length < maxMessages) {
      const { Messages: messages = [] } = await this.sqs.send(new ReceiveMessageCommand({
        QueueUrl: this.options.deadLetterQueueUrl,
        MaxNumberOfMessages: Math.min(10, maxMessages - reports.length),
        VisibilityTimeout: this.options.visibilityTimeoutSeconds ?? 300,
        WaitTimeSeconds: 0,
      }));
      const fresh = messages.filter((m) => !seen.has(m.MessageId!));
      if (fresh.length === 0) break;
      for (const message of fresh) {
        seen.add(message.MessageId!);
        reports.push(await this.replayMessage(message));
      }
    }
    return reports;
  }

  /** Replays one received message; deletes it only when every event was published and none is known lost. */
  public async replayMessage(message: Message): Promise<ReplayedMessage> {
    const messageId = message.MessageId ?? '';
    let deliveries: OutboxDelivery[] = [];
    try {
      const resolved = await this.resolve(streamBatchInfoOf(message.Body ?? ''));
      deliveries = resolved.deliveries;
      const lost = resolved.unrecoverable !== undefined && resolved.unrecoverable.aggregatesMovedPast > 0;
      if (!this.options.dryRun) {
        await this.publish(deliveries);
        if (!lost) await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.options.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
      const eventIds = deliveries.map((d) => d.metadata.eventId);
      const unrecoverable = resolved.unrecoverable ? { unrecoverable: resolved.unrecoverable } : {};
      if (!lost) return { messageId, outcome: ReplayOutcome.REPLAYED, eventIds, ...unrecoverable };
      return {
        messageId,
        outcome: ReplayOutcome.PARTIAL,
        eventIds,
        reason: `${resolved.unrecoverable!.aggregatesMovedPast} aggregates moved past an event that may have been in the batch's window: such an event ` +
          'was overwritten in the table and cannot be recovered; the message is kept',
        unrecoverable: resolved.unrecoverable,
      };
    } catch (error) {
      const kept = error instanceof KeptBatchError ? error : undefined;
      return {
        messageId,
        outcome: kept?.outcome ?? ReplayOutcome.FAILED,
        eventIds: kept?.eventIds ?? deliveries.map((d) => d.metadata.eventId),
        reason: error instanceof Error ? error.message : String(error),
      };
    }
  }

  /** The events of a batch, in stream order (within 24 hours) or event id order (after). */
  private async resolve(info: StreamBatchInfo): Promise<ResolvedBatch> {
    const expired = this.now() - Date.parse(info.approximateArrivalOfFirstRecord) >= OUTBOX_LIMITS.streamRetentionSeconds * 1000;
    return expired ? this.scanAfterExpiry(info) : { deliveries: await this.deliveriesFromStream(info) };
  }

  /** The event of each outbox image in the batch, from the stream record itself, as the pipe's filter and enrichment do. */
  private async deliveriesFromStream(info: StreamBatchInfo): Promise<OutboxDelivery[]> {
    const end = BigInt(info.endSequenceNumber);
    const images: OutboxStreamRecord[] = [];
    let reachedEnd = false;
    let iterator = (await this.streams.send(new GetShardIteratorCommand({
      StreamArn: info.streamArn, ShardId: info.shardId, ShardIteratorType: 'AT_SEQUENCE_NUMBER', SequenceNumber: info.startSequenceNumber,
    }))).ShardIterator;
    for (let empty = 0; iterator && !reachedEnd && empty < MAX_EMPTY_PAGES;) {
      const page = await this.streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      const records = page.Records ?? [];
      empty = records.length === 0 ? empty + 1 : 0;
      for (const record of records) {
        if (BigInt(record.dynamodb?.SequenceNumber ?? '0') > end) {
          reachedEnd = true;
          break;
        }
        const image = asOutboxStreamRecord(record);
        if (isOutboxImage(image)) images.push(image);
        if (record.dynamodb?.SequenceNumber === info.endSequenceNumber) reachedEnd = true;
      }
      iterator = page.NextShardIterator;
    }
    if (!reachedEnd) {
      const found = images.map((r) => r.dynamodb!.NewImage![OUTBOX_ROW_ATTRIBUTES.eventId].S!);
      throw new KeptBatchError(`shard ${info.shardId} ended before sequence number ${info.endSequenceNumber}`, ReplayOutcome.FAILED, found);
    }
    // isOutboxImage held for each, so each maps to a delivery or throws MalformedOutboxRowError (the message then fails).
    return images.map((image) => outboxDeliveryFrom(image, this.options.eventSource)!);
  }

  /**
   * After 24 hours: the outbox items whose current event id was made in the batch's arrival window, and the
   * aggregates that may have lost an event of the window (see UnrecoverableEvents).
   */
  private async scanAfterExpiry(info: StreamBatchInfo): Promise<ResolvedBatch> {
    if ((this.options.expiredBatches ?? ExpiredBatchPolicy.KEEP) === ExpiredBatchPolicy.KEEP) {
      throw new KeptBatchError(`the batch's records left the stream (first arrived ${info.approximateArrivalOfFirstRecord}, the stream keeps 24 hours); ` +
        'replay with ExpiredBatchPolicy.SCAN_TIME_WINDOW to republish the outbox items whose latest event falls in its time window', ReplayOutcome.KEPT);
    }
    const [low, high] = eventIdRange(Date.parse(info.approximateArrivalOfFirstRecord) - ID_WINDOW_BEFORE_MS,
      Date.parse(info.approximateArrivalOfLastRecord) + ID_WINDOW_AFTER_MS);
    const inWindow: StreamImage[] = [];
    const movedPast: string[] = [];
    let input: ScanCommandInput | undefined = {
      TableName: this.options.tableName,
      // Items from the window on: those in it are republished, those past it are counted.
      FilterExpression: '#id >= :low',
      ExpressionAttributeNames: { '#id': OUTBOX_ROW_ATTRIBUTES.eventId },
      ExpressionAttributeValues: { ':low': { S: low } },
      ConsistentRead: true,
    };
    while (input) {
      const page: ScanCommandOutput = await this.dynamodb.send(new ScanCommand(input));
      for (const item of (page.Items ?? []) as StreamImage[]) {
        // The key prefix is not checked: the table shape (key names) is not known here; the event id attribute is the mark.
        if (item[OUTBOX_ROW_ATTRIBUTES.eventId].S! <= high) inWindow.push(item);
        // An item past its first sequence number overwrote an earlier event, which may have been in the window (the
        // table does not say when it was made); an item at its first overwrote nothing.
        if (Number(item[OUTBOX_ROW_ATTRIBUTES.sequence]?.N) > OUTBOX_ORDERING.firstSequence) movedPast.push(item[OUTBOX_ROW_ATTRIBUTES.aggregateId]?.S ?? '');
      }
      input = page.LastEvaluatedKey ? { ...input, ExclusiveStartKey: page.LastEvaluatedKey } : undefined;
    }
    // Event ids sort by time: the closest to commit order a scan can give.
    inWindow.sort((a, b) => a[OUTBOX_ROW_ATTRIBUTES.eventId].S!.localeCompare(b[OUTBOX_ROW_ATTRIBUTES.eventId].S!));
    // The item's current image is what its last stream record carried: the enrichment's mapping applies as is.
    const deliveries = inWindow.map((image) =>
      outboxDeliveryFrom({ eventName: CURRENT_IMAGE_CHANGE, dynamodb: { NewImage: image } }, this.options.eventSource)!);
    return {
      deliveries,
      unrecoverable: { aggregatesMovedPast: movedPast.length, aggregateIds: movedPast.sort().slice(0, MAX_REPORTED_AGGREGATES) },
    };
  }

  /** Publishes as the pipe does, in requests the target accepts (≤ 10 entries, within its request size). */
  private async publish(deliveries: readonly OutboxDelivery[]): Promise<void> {
    const envelope = (d: OutboxDelivery) => JSON.stringify({ metadata: d.metadata, data: d.data });
    if (this.options.queueUrl !== undefined) {
      const entries: SendMessageBatchRequestEntry[] = deliveries.map((d, i) => ({
        Id: String(i), MessageBody: envelope(d), MessageGroupId: d.metadata.aggregateId, MessageDeduplicationId: d.metadata.eventId,
      }));
      for (const chunk of chunks(entries, (e) => utf8Bytes(e.MessageBody!), OUTBOX_LIMITS.maxSendMessageBatchBytes)) {
        const result = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.options.queueUrl, Entries: chunk }));
        if ((result.Failed ?? []).length > 0) throw new Error(`SendMessageBatch refused ${result.Failed!.map((f) => `${f.Id}: ${f.Code} ${f.Message}`).join('; ')}`);
      }
      return;
    }
    const entries: PutEventsRequestEntry[] = deliveries.map((d) => ({
      EventBusName: this.options.eventBusName,
      Source: this.options.eventSource,
      DetailType: d.metadata.detailType,
      Time: new Date(d.metadata.occurredAt),
      Resources: [d.metadata.eventId],
      Detail: envelope(d),
    }));
    const size = (e: PutEventsRequestEntry) => eventEntryBytes({
      source: e.Source!, detailType: e.DetailType!, detail: e.Detail!, resources: e.Resources!, hasTime: true,
    });
    for (const chunk of chunks(entries, size, OUTBOX_LIMITS.maxPutEventsRequestBytes)) {
      const result = await this.eventBridge.send(new PutEventsCommand({ Entries: chunk }));
      if ((result.FailedEntryCount ?? 0) > 0) {
        const failed = (result.Entries ?? []).flatMap((e, i) => (e.ErrorCode ? [`${chunk[i].Resources![0]}: ${e.ErrorCode} ${e.ErrorMessage ?? ''}`] : []));
        throw new Error(`PutEvents refused ${failed.join('; ')}`);
      }
    }
  }
}

/** A later image of an item is a MODIFY: the change a scanned item's current image stands for. */
const CURRENT_IMAGE_CHANGE: (typeof OUTBOX_CAPTURED_CHANGES)[number] = OUTBOX_CAPTURED_CHANGES[1];

/** A Streams API record in the shape the pipe's filter and enrichment read (outbox images hold strings and numbers). */
function asOutboxStreamRecord(record: StreamRecord): OutboxStreamRecord {
  return {
    eventName: record.eventName,
    eventID: record.eventID,
    dynamodb: {
      NewImage: record.dynamodb?.NewImage as StreamImage | undefined,
      Keys: record.dynamodb?.Keys as StreamImage | undefined,
      SequenceNumber: record.dynamodb?.SequenceNumber,
    },
  };
}

/** Consecutive groups of at most 10 items whose sizes sum to at most `limit`, in order. */
function chunks<T>(items: readonly T[], size: (item: T) => number, limit: number): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const itemBytes = size(item);
    if (current.length > 0 && (current.length === OUTBOX_LIMITS.maxBatchSize || bytes + itemBytes > limit)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += itemBytes;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
