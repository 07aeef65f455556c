/**
 * OutboxWriter: a service's state change and the events that describe it, committed in one DynamoDB
 * TransactWriteItems. Either both land or neither does, so an event is published exactly when its change happened.
 */
import { randomUUID } from 'node:crypto';
import {
  DynamoDBClient,
  ReturnConsumedCapacity,
  TransactWriteItem,
  TransactWriteItemsCommand,
  TransactWriteItemsCommandInput,
  ConsumedCapacity,
} from '@aws-sdk/client-dynamodb';
import { OutboxWriterConfig, OutboxWriterSettings, OutboxTarget, resolveOutboxWriterConfig } from './config';
import { EVENT_ID_PATTERN, EventIdGenerator } from './event-id';
import { jsonFidelityProblems } from './json-fidelity';
import { outboxItemKey, outboxItemUpdate, OutboxRecord, publishedEvent } from './outbox-row';
import { isJsonObject, OutboxEventMetadata } from './published-event';
import { deliveredEventBytes } from './sizes';
import { TableKeys, transactionProblems } from './transaction-checks';
import { OUTBOX_LIMITS, outboxRequestByteLimit } from '../../../lib/transactional-outbox/contract';

/** One event to publish with the transaction. */
export interface OutboxEvent<TDetail extends object = Record<string, unknown>> {
  /** The event's `detail-type`, e.g. `OrderPlaced` (1 to 128 characters). */
  readonly detailType: string;
  /**
   * The aggregate the event is about (an order id, a customer id). With a FIFO queue target it is the message group:
   * 1 to 128 printable ASCII characters.
   */
  readonly aggregateId: string;
  /**
   * The event detail: an object whose JSON is an object. The target receives `JSON.parse(JSON.stringify(detail))` as
   * the envelope's `data`: exactly this object, except that values with `toJSON` become what it returns (a Date its
   * ISO string) and -0 becomes 0. Anything JSON would silently change (NaN, Infinity, undefined, Map, Set, BigInt,
   * class instances without toJSON, cycles) is refused before the transaction is sent.
   */
  readonly detail: TDetail;
  /**
   * The partition key value of the aggregate's outbox item, so it sits beside the aggregate's items (tables with a
   * sort key). Give the same value for every event of the aggregate: the aggregate's sequence lives on that item.
   * @default aggregateId
   */
  readonly partitionKey?: string;
  /**
   * The aggregate's sequence number before this event (its last event's `metadata.sequence`, or 0 when it has none):
   * the transaction then commits only if no other event of the aggregate committed since (optimistic concurrency on
   * the aggregate), and the returned event carries its sequence (`expectedSequence + 1`).
   * @default none: the event takes the next sequence number whatever it is (DynamoDB assigns it at commit), and the
   *   returned event has no sequence
   */
  readonly expectedSequence?: number;
  /**
   * The event id, for a retry from another process that must produce the identical request (the same client request
   * token with different ids is refused by DynamoDB).
   * @default a new time-sortable id (ULID)
   */
  readonly eventId?: string;
  /** When the event happened. @default the writer's clock at prepare time */
  readonly occurredAt?: Date;
}

/** A business change and its events. */
export interface OutboxTransactionRequest {
  /** The business writes, as TransactWriteItems actions (any table). @default none */
  readonly writes?: readonly TransactWriteItem[];
  /**
   * The events, at most one per aggregate: each becomes the next image of its aggregate's outbox item in the same
   * transaction, and DynamoDB lets a transaction act on an item once.
   */
  readonly events: readonly OutboxEvent<object>[];
  /**
   * DynamoDB's idempotency token (1 to 36 characters): within 10 minutes, the same request with the same token
   * is applied once. Send a prepared transaction again to retry it.
   * @default a new UUID, so the SDK's own retries of this call cannot apply it twice
   */
  readonly clientRequestToken?: string;
  /** Ask DynamoDB for the capacity the transaction consumed. @default ReturnConsumedCapacity.NONE */
  readonly returnConsumedCapacity?: ReturnConsumedCapacity;
}

/** A checked transaction with its event ids fixed: send it, and send the same object again to retry. */
export interface PreparedOutboxTransaction {
  /** Exactly what is sent to DynamoDB. */
  readonly input: TransactWriteItemsCommandInput;
  /** The events as the target will receive them (the envelope), with the sequence where it is known before commit. */
  readonly events: readonly WrittenOutboxEvent[];
}

/**
 * An event as the writer knows it: the envelope the target receives, whose `metadata.sequence` is known before the
 * commit only when the event gave `expectedSequence`.
 */
export interface WrittenOutboxEvent {
  readonly metadata: Omit<OutboxEventMetadata, 'sequence'> & { readonly sequence?: number };
  readonly data: Record<string, unknown>;
}

/** What a committed transaction published. */
export interface OutboxWriteResult {
  readonly events: readonly WrittenOutboxEvent[];
  /** Present when `returnConsumedCapacity` asked for it. */
  readonly consumedCapacity?: ConsumedCapacity[];
}

/** Options of an {@link OutboxWriter}. */
export interface OutboxWriterOptions extends OutboxWriterSettings {
  /** @default a new DynamoDBClient from the Lambda environment */
  readonly client?: DynamoDBClient;
  /** Key attribute names of the other tables the transactions write (the outbox table's are known). @default none */
  readonly tableKeys?: TableKeys;
  /** Clock for `occurredAt` and event ids. @default Date.now */
  readonly now?: () => number;
}

/** The transaction was refused before anything was sent; `problems` lists every reason. */
export class OutboxTransactionRejectedError extends Error {
  /** Every reason, one sentence each. */
  public readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`outbox transaction refused before sending: ${problems.join('; ')}`);
    this.name = 'OutboxTransactionRejectedError';
    this.problems = problems;
  }
}

/** How many of one detail's JSON problems a refusal lists. */
const MAX_REPORTED_FIDELITY_PROBLEMS = 5;

/** The widest sequence number, for sizing an envelope whose sequence DynamoDB assigns at commit. */
const WIDEST_SEQUENCE = Number.MAX_SAFE_INTEGER;

/** Printable ASCII: the characters SQS allows in a message group id. */
const MESSAGE_GROUP_ID = /^[\x21-\x7e]+$/;

/**
 * Writes business changes and their events (each the next image of its aggregate's outbox item) in one
 * TransactWriteItems. Build it once per execution environment.
 *
 * @example
 * const outbox = new OutboxWriter();
 * await outbox.write({
 *   writes: [{ Put: { TableName: outbox.tableName, Item: order, ConditionExpression: 'attribute_not_exists(pk)' } }],
 *   events: [{ detailType: 'OrderPlaced', aggregateId: orderId, detail: { orderId, total } }],
 * });
 */
export class OutboxWriter {
  /** The resolved settings. */
  public readonly config: OutboxWriterConfig;
  private readonly client: DynamoDBClient;
  private readonly tableKeys: TableKeys;
  private readonly now: () => number;
  private readonly ids: EventIdGenerator;

  constructor(options: OutboxWriterOptions = {}) {
    this.config = resolveOutboxWriterConfig(options);
    this.client = options.client ?? new DynamoDBClient({});
    this.now = options.now ?? Date.now;
    this.ids = new EventIdGenerator(this.now);
    const { tableName, partitionKey, sortKey } = this.config;
    this.tableKeys = { ...options.tableKeys, [tableName]: sortKey === undefined ? [partitionKey] : [partitionKey, sortKey] };
  }

  /** The outbox table: business items may live there too. */
  public get tableName(): string {
    return this.config.tableName;
  }

  /**
   * Checks the transaction, fixes its event ids and times, and builds the request.
   * @throws OutboxTransactionRejectedError listing every problem; nothing is sent
   */
  public prepare(request: OutboxTransactionRequest): PreparedOutboxTransaction {
    const problems: string[] = [];
    const token = request.clientRequestToken ?? randomUUID();
    if (token.length < 1 || token.length > OUTBOX_LIMITS.maxClientRequestTokenLength) {
      problems.push(`clientRequestToken is ${token.length} characters; DynamoDB allows 1 to ${OUTBOX_LIMITS.maxClientRequestTokenLength}`);
    }
    const records = request.events.map((event, index) => this.recordOf(event, index, problems));
    const outboxItems = new Map<string, number>();
    const updates: TransactWriteItem[] = [];
    records.forEach((record, index) => {
      const event = request.events[index];
      const partitionKey = event.partitionKey ?? record.aggregateId;
      const item = JSON.stringify(outboxItemKey(this.config, record.aggregateId, partitionKey));
      const first = outboxItems.get(item);
      if (first !== undefined) {
        problems.push(`events ${first} and ${index} are both about aggregate ${record.aggregateId}: an aggregate's events are the ` +
          'successive images of its one outbox item, and a transaction can write an item once; publish one event per aggregate ' +
          'per transaction (combine them into one event, or write them in successive transactions)');
        return;
      }
      outboxItems.set(item, index);
      // An invalid expectedSequence is already a problem; leaving it out keeps the size checks' numbers valid.
      const expected = isSequence(event.expectedSequence) ? event.expectedSequence : undefined;
      updates.push({ Update: outboxItemUpdate(this.config, record, partitionKey, this.expiresAt(record), expected) });
    });
    const items = [...(request.writes ?? []), ...updates];
    problems.push(...transactionProblems(items, this.tableKeys));
    if (problems.length > 0) throw new OutboxTransactionRejectedError(problems);
    return {
      input: {
        TransactItems: items,
        ClientRequestToken: token,
        ...(request.returnConsumedCapacity ? { ReturnConsumedCapacity: request.returnConsumedCapacity } : {}),
      },
      events: records.map((record, index) => this.writtenEvent(record, request.events[index].expectedSequence)),
    };
  }

  /** Sends a prepared transaction; sending the same one again within 10 minutes does not apply it twice. */
  public async send(prepared: PreparedOutboxTransaction): Promise<OutboxWriteResult> {
    const output = await this.client.send(new TransactWriteItemsCommand(prepared.input));
    return { events: prepared.events, ...(output.ConsumedCapacity ? { consumedCapacity: output.ConsumedCapacity } : {}) };
  }

  /** Prepares and sends a transaction. */
  public async write(request: OutboxTransactionRequest): Promise<OutboxWriteResult> {
    return this.send(this.prepare(request));
  }

  private recordOf(event: OutboxEvent<object>, index: number, problems: string[]): OutboxRecord {
    const where = `event ${index}${typeof event.detailType === 'string' ? ` (${event.detailType})` : ''}`;
    const check = (condition: boolean, problem: string) => {
      if (!condition) problems.push(`${where}: ${problem}`);
    };
    check(typeof event.detailType === 'string' && event.detailType.length >= 1 && event.detailType.length <= OUTBOX_LIMITS.maxDetailTypeLength,
      `detailType must be 1 to ${OUTBOX_LIMITS.maxDetailTypeLength} characters`);
    check(typeof event.aggregateId === 'string' && event.aggregateId.length > 0, 'aggregateId must be a non-empty string');
    if (this.config.target === OutboxTarget.FIFO_QUEUE) {
      check(typeof event.aggregateId === 'string' && event.aggregateId.length <= OUTBOX_LIMITS.maxMessageGroupIdLength &&
        MESSAGE_GROUP_ID.test(event.aggregateId),
      `aggregateId is the FIFO message group: it must be 1 to ${OUTBOX_LIMITS.maxMessageGroupIdLength} printable ASCII characters`);
    }
    check(event.eventId === undefined || EVENT_ID_PATTERN.test(event.eventId), `eventId '${event.eventId}' is not a ULID`);
    check(event.expectedSequence === undefined || isSequence(event.expectedSequence),
      `expectedSequence ${event.expectedSequence} is not a whole number from 0 (the aggregate has no event yet)`);
    const occurredAt = event.occurredAt ?? new Date(this.now());
    check(!Number.isNaN(occurredAt.getTime()), 'occurredAt is not a valid date');
    const detailJson = this.detailJsonOf(event.detail, problems, where);
    const record: OutboxRecord = {
      eventId: event.eventId ?? this.ids.next(),
      detailType: String(event.detailType),
      occurredAt: Number.isNaN(occurredAt.getTime()) ? '' : occurredAt.toISOString(),
      aggregateId: String(event.aggregateId),
      detailJson: detailJson ?? '{}',
    };
    const size = this.deliveredBytes(record, isSequence(event.expectedSequence) ? event.expectedSequence + 1 : WIDEST_SEQUENCE);
    const { maxEventBytes, batchSize, target } = this.config;
    // Pipes sends a batch of up to batchSize events as one request, and the target limits the request, not each event.
    check(size <= maxEventBytes,
      `the event is ${size} bytes as the ${target === OutboxTarget.FIFO_QUEUE ? 'queue message' : 'EventBridge entry'} it becomes; ` +
      `the limit is ${maxEventBytes} (${target === OutboxTarget.FIFO_QUEUE ? 'SendMessageBatch' : 'PutEvents'} takes ` +
      `${outboxRequestByteLimit(target)} bytes per request, shared by a batch of ${batchSize}: a smaller batchSize allows larger events)`);
    return record;
  }

  /**
   * The size the target counts: the PutEvents entry for a bus, the message body for a FIFO queue. A sequence that
   * DynamoDB assigns at commit is counted at its widest.
   */
  private deliveredBytes(record: OutboxRecord, sequence: number): number {
    // The target receives the envelope (detail on a bus, body on a queue), never the bare detail.
    return deliveredEventBytes({
      target: this.config.target,
      source: this.config.eventSource,
      detailType: record.detailType,
      envelope: JSON.stringify(publishedEvent(record, this.config.eventSource, sequence)),
      resource: record.eventId,
    });
  }

  /**
   * The detail's JSON text, or undefined (with the problems) when JSON would not carry it as given or its serialized
   * form is not an object: a `toJSON` returning a string or an array would commit a row the target cannot take.
   */
  private detailJsonOf(detail: unknown, problems: string[], where: string): string | undefined {
    const lost = jsonFidelityProblems(detail);
    if (lost.length > 0) {
      problems.push(...lost.slice(0, MAX_REPORTED_FIDELITY_PROBLEMS).map((problem) => `${where}: ${problem}`));
      if (lost.length > MAX_REPORTED_FIDELITY_PROBLEMS) problems.push(`${where}: and ${lost.length - MAX_REPORTED_FIDELITY_PROBLEMS} more`);
      return undefined;
    }
    const text = JSON.stringify(detail);
    if (!isJsonObject(JSON.parse(text))) {
      problems.push(`${where}: detail must serialize to a JSON object, but its JSON is ${text.length > 40 ? `${text.slice(0, 40)}…` : text}`);
      return undefined;
    }
    return text;
  }

  private writtenEvent(record: OutboxRecord, expectedSequence: number | undefined): WrittenOutboxEvent {
    const { metadata, data } = publishedEvent(record, this.config.eventSource, 0);
    const { sequence: _unknown, ...known } = metadata;
    return { metadata: expectedSequence === undefined ? known : { ...known, sequence: expectedSequence + 1 }, data };
  }

  /**
   * When the outbox item expires: `retention` after its latest event, so an aggregate that keeps publishing keeps its
   * item (and its sequence); one quiet for longer loses it and starts again at sequence 1.
   */
  private expiresAt(record: OutboxRecord): number {
    const occurred = Date.parse(record.occurredAt);
    return Math.floor((Number.isNaN(occurred) ? this.now() : occurred) / 1000) + this.config.retentionSeconds;
  }
}

/** A sequence number an aggregate can be at: a whole number from 0 (no event yet). */
function isSequence(value: number | undefined): value is number {
  return Number.isSafeInteger(value) && value! >= 0;
}
