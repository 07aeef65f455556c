/**
 * Replays the outbox pipe's dead-letter queue. For a DynamoDB stream source the pipe dead-letters batch metadata
 * only: the shard, the first and last sequence numbers and the stream ARN (`DDBStreamBatchInfo`), not the records
 * ("Amazon EventBridge Pipes error handling and troubleshooting", section "Pipe DLQ behavior",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-error-troubleshooting.html). The replayer turns each
 * message back into its outbox rows and republishes them with their original event ids, the way the pipe would have:
 *
 * 1. Within the stream's 24 hours it reads the shard from the first to the last sequence number, keeps the outbox
 *    INSERTs (the pipe's filter), and reads each row back from the table by its key (rows outlive the stream).
 * 2. After that, the records are gone and the metadata carries no keys. With `ExpiredBatchPolicy.SCAN_TIME_WINDOW`
 *    it scans the table for outbox rows whose event id (a ULID, time-ordered) falls in the batch's arrival window;
 *    this republishes a superset (rows of other shards, already delivered ones), which consumers drop by event id.
 *    By default such a message is kept and reported.
 * 3. It publishes the rows as the pipe does (same envelope, detail-type, time, resources; on a FIFO queue the same
 *    message group and deduplication id = event id, so SQS drops a replay within its 5-minute deduplication window),
 *    and deletes the dead-letter message only after every one of its events was accepted by the target.
 */
import {
  AttributeValue, DynamoDBClient, GetItemCommand, ScanCommand, ScanCommandInput, ScanCommandOutput,
} from '@aws-sdk/client-dynamodb';
import {
  _Record as StreamRecord, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand,
} from '@aws-sdk/client-dynamodb-streams';
import { EventBridgeClient, PutEventsCommand, PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import {
  DeleteMessageCommand, Message, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageBatchRequestEntry, SQSClient,
} from '@aws-sdk/client-sqs';
import { eventIdRange } from './event-id';
import { OutboxDelivery, outboxDeliveryFrom, StreamImage } from './outbox-row';
import { eventEntryBytes, utf8Bytes } from './sizes';
import { OUTBOX_LIMITS, OUTBOX_ROW_ATTRIBUTES } from '../../../lib/transactional-outbox/contract';

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
  /** Scan the table for outbox rows made in the batch's arrival window and republish them all (a superset). */
  SCAN_TIME_WINDOW = 'SCAN_TIME_WINDOW',
}

/** What happened to one dead-letter message. */
export enum ReplayOutcome {
  /** Every event was republished and the message deleted (or, in a dry run, would be). */
  REPLAYED = 'REPLAYED',
  /** Left in the queue: its records left the stream (with ExpiredBatchPolicy.KEEP) or a row no longer exists. */
  KEPT = 'KEPT',
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
}

/** Options of an {@link OutboxReplayer}. */
export interface OutboxReplayerOptions {
  /** The pipe's dead-letter queue (the construct's `deadLetterQueue`). */
  readonly deadLetterQueueUrl: string;
  /** The outbox table. */
  readonly tableName: string;
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

  /** Replays one received message; deletes it only when every event was published. */
  public async replayMessage(message: Message): Promise<ReplayedMessage> {
    const messageId = message.MessageId ?? '';
    let deliveries: OutboxDelivery[] = [];
    try {
      deliveries = await this.deliveriesOf(streamBatchInfoOf(message.Body ?? ''));
      if (!this.options.dryRun) {
        await this.publish(deliveries);
        await this.sqs.send(new DeleteMessageCommand({ QueueUrl: this.options.deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
      return { messageId, outcome: ReplayOutcome.REPLAYED, eventIds: deliveries.map((d) => d.metadata.eventId) };
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

  /** The events of a batch, in stream order. */
  private async deliveriesOf(info: StreamBatchInfo): Promise<OutboxDelivery[]> {
    const expired = this.now() - Date.parse(info.approximateArrivalOfFirstRecord) >= OUTBOX_LIMITS.streamRetentionSeconds * 1000;
    const images = expired ? await this.imagesAfterExpiry(info) : await this.imagesFromStream(info);
    return images.map((image) => {
      const delivery = outboxDeliveryFrom({ eventName: 'INSERT', dynamodb: { NewImage: image } }, this.options.eventSource);
      if (!delivery) throw new Error('an outbox row without an event id');
      return delivery;
    });
  }

  /** The batch's outbox INSERTs from the shard, each read back from the table by key. */
  private async imagesFromStream(info: StreamBatchInfo): Promise<StreamImage[]> {
    const end = BigInt(info.endSequenceNumber);
    const inserts: StreamRecord[] = [];
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
        // The pipe's filter: INSERTs of outbox rows only.
        if (record.eventName === 'INSERT' && record.dynamodb?.NewImage?.[OUTBOX_ROW_ATTRIBUTES.eventId]?.S !== undefined) inserts.push(record);
        if (record.dynamodb?.SequenceNumber === info.endSequenceNumber) reachedEnd = true;
      }
      iterator = page.NextShardIterator;
    }
    const found = inserts.map((r) => r.dynamodb!.NewImage![OUTBOX_ROW_ATTRIBUTES.eventId].S!);
    if (!reachedEnd) throw new KeptBatchError(`shard ${info.shardId} ended before sequence number ${info.endSequenceNumber}`, ReplayOutcome.FAILED, found);
    const images: StreamImage[] = [];
    for (const record of inserts) {
      const { Item: item } = await this.dynamodb.send(new GetItemCommand({
        TableName: this.options.tableName, Key: record.dynamodb!.Keys as Record<string, AttributeValue>, ConsistentRead: true,
      }));
      if (!item) {
        throw new KeptBatchError(`outbox row of event ${record.dynamodb!.NewImage![OUTBOX_ROW_ATTRIBUTES.eventId].S} is no longer in the table ` +
          '(expired by TTL after the outbox retention)', ReplayOutcome.KEPT, found);
      }
      images.push(item as StreamImage);
    }
    return images;
  }

  /** After 24 hours: the outbox rows whose ids were made in the batch's arrival window, or a kept message. */
  private async imagesAfterExpiry(info: StreamBatchInfo): Promise<StreamImage[]> {
    if ((this.options.expiredBatches ?? ExpiredBatchPolicy.KEEP) === ExpiredBatchPolicy.KEEP) {
      throw new KeptBatchError(`the batch's records left the stream (first arrived ${info.approximateArrivalOfFirstRecord}, the stream keeps 24 hours); ` +
        'replay with ExpiredBatchPolicy.SCAN_TIME_WINDOW to republish every outbox row of its time window', ReplayOutcome.KEPT);
    }
    const [low, high] = eventIdRange(Date.parse(info.approximateArrivalOfFirstRecord) - ID_WINDOW_BEFORE_MS,
      Date.parse(info.approximateArrivalOfLastRecord) + ID_WINDOW_AFTER_MS);
    const images: StreamImage[] = [];
    let input: ScanCommandInput | undefined = {
      TableName: this.options.tableName,
      FilterExpression: '#id BETWEEN :low AND :high',
      ExpressionAttributeNames: { '#id': OUTBOX_ROW_ATTRIBUTES.eventId },
      ExpressionAttributeValues: { ':low': { S: low }, ':high': { S: high } },
      ConsistentRead: true,
    };
    while (input) {
      const page: ScanCommandOutput = await this.dynamodb.send(new ScanCommand(input));
      images.push(...(page.Items ?? []) as StreamImage[]);
      input = page.LastEvaluatedKey ? { ...input, ExclusiveStartKey: page.LastEvaluatedKey } : undefined;
    }
    // Event ids sort by time: the closest to commit order a scan can give.
    return images.sort((a, b) => a[OUTBOX_ROW_ATTRIBUTES.eventId].S!.localeCompare(b[OUTBOX_ROW_ATTRIBUTES.eventId].S!));
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
