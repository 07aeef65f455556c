/**
 * DynamoDB persistence of circuit records. Every conditional write carries its writer's token, and a write that
 * fails its condition against an item showing that token has won: the SDK retried a write whose first attempt
 * committed but whose response was lost (the retry then finds its own write). Counting writes set each
 * environment's tally to an absolute value instead of adding to a total, so a repeated one cannot count twice.
 */
import {
  AttributeValue,
  ConditionalCheckFailedException,
  DynamoDBClient,
  DynamoDBClientConfig,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { itemToRecord, recordToItem, TALLY_CALLS, tallyToAttribute } from './codec';
import { expiration, openedFields, TransitionSettings, wroteTransition } from './transitions';
import { CircuitRecord, CircuitState, Tally } from './types';
import { CIRCUIT_TABLE } from '../../../lib/circuit-breaker/contract';

/** Part of the store budget one attempt of the default client may take: two attempts and the SDK's retry delay fit in it. */
export const ATTEMPT_SHARE_OF_BUDGET = 0.4;

/**
 * The client used when none is passed: two attempts, and connection and request timeouts that really fail the
 * request (recent SDKs only warn on a request timeout unless told to throw), so a store that hangs cannot hang
 * the guarded call with it. Each attempt may take {@link ATTEMPT_SHARE_OF_BUDGET} of `budgetMs`, so that a write
 * whose first response is lost is retried (and recognised as won) within the budget. `config` adds to it.
 */
export function defaultDynamoDbClient(budgetMs: number, config: DynamoDBClientConfig = {}): DynamoDBClient {
  const attemptMs = Math.max(1, Math.floor(budgetMs * ATTEMPT_SHARE_OF_BUDGET));
  return new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: attemptMs, requestTimeout: attemptMs, throwOnRequestTimeout: true },
    ...config,
  });
}

/** Names of the key and TTL attributes in expressions (they are the construct's choice, see the contract). */
const KEY_NAMES = { '#pk': CIRCUIT_TABLE.partitionKey, '#ttl': CIRCUIT_TABLE.timeToLiveAttribute };

/** Result of a conditional write. */
export type WriteOutcome =
  /** This writer's write took effect; `record` is the item after it (or as a retry found it, moved on since). */
  | { readonly written: true; readonly record: CircuitRecord }
  /** Someone else wrote first; `current` is the item as DynamoDB returned it with the failure, when it did. */
  | { readonly written: false; readonly current?: CircuitRecord };

/** One conditional UpdateItem, its expression parts listed separately (DynamoDB rejects unused names and values). */
interface Update {
  readonly set: string[];
  readonly remove?: string[];
  readonly condition: string;
  readonly names?: Record<string, string>;
  readonly values: Record<string, AttributeValue>;
}

/** Reads and conditionally writes circuit items in one table. Errors other than a lost condition are thrown. */
export class CircuitStore {
  constructor(
    /** The client all requests go through (so tests and benchmarks can count them with middleware). */
    public readonly client: DynamoDBClient,
    /** Circuit table name. */
    public readonly tableName: string,
  ) {}

  /** Strongly consistent read: an eventually consistent one could hand an elected prober's rivals a stale OPEN. */
  public async read(id: string): Promise<CircuitRecord> {
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: this.key(id), ConsistentRead: true }));
    return itemToRecord(id, out.Item);
  }

  /**
   * Writes the transition `next` only if the item still has `seen.version` (or still does not exist when that is
   * 0): one writer wins per version. A lost condition against an item showing `next`'s token is a win.
   */
  public async replace(seen: CircuitRecord, next: CircuitRecord): Promise<WriteOutcome> {
    try {
      await this.client.send(new PutItemCommand({
        TableName: this.tableName,
        Item: recordToItem(next),
        ...(seen.version === 0
          ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': CIRCUIT_TABLE.partitionKey } }
          : { ConditionExpression: 'version = :seen', ExpressionAttributeValues: { ':seen': { N: String(seen.version) } } }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { written: true, record: next };
    } catch (err) {
      return this.lostCondition(seen.id, err, (current) => next.transitionToken !== undefined && wroteTransition(current, next.transitionToken));
    }
  }

  /**
   * Starts a counting window at `now` (identified by `token`) with this writer's first tally, if the circuit is
   * CLOSED and has no window that is still running.
   */
  public async startWindow(
    id: string, now: number, token: string, writerKey: string, tally: Tally, settings: WindowSettings,
  ): Promise<WriteOutcome> {
    return this.update(id, now, settings, {
      set: ['#state = if_not_exists(#state, :closed)', 'windowStart = :now', 'windowId = :token', 'tallies = :tallies'],
      condition: '(attribute_not_exists(#pk) OR #state = :closed) AND (attribute_not_exists(windowStart) OR windowStart <= :cutoff)',
      names: { '#state': 'state' },
      values: {
        ':closed': { S: CircuitState.CLOSED },
        ':token': { S: token },
        ':tallies': { M: { [writerKey]: tallyToAttribute(tally) } },
        ':cutoff': { N: String(now - settings.failureWindowMs) },
      },
    }, (current) => current.windowId === token);
  }

  /**
   * Sets this writer's tally in window `windowId` while the circuit is CLOSED in that window. An older tally of
   * the same writer never overwrites a newer one; the same tally twice (an SDK retry) changes nothing.
   */
  public async reportTally(
    id: string, windowId: string, now: number, writerKey: string, tally: Tally, settings: WindowSettings,
  ): Promise<WriteOutcome> {
    return this.update(id, now, settings, {
      set: ['tallies.#writer = :tally'],
      condition: '#state = :closed AND windowId = :window AND (attribute_not_exists(tallies.#writer) OR tallies.#writer.#calls <= :calls)',
      names: { '#state': 'state', '#writer': writerKey, '#calls': TALLY_CALLS },
      values: {
        ':closed': { S: CircuitState.CLOSED },
        ':window': { S: windowId },
        ':tally': tallyToAttribute(tally),
        ':calls': { N: String(tally.calls) },
      },
    }, (current) => current.windowId === windowId && (current.tallies?.[writerKey]?.calls ?? -1) >= tally.calls);
  }

  /** CLOSED → OPEN, if the circuit is still CLOSED in the window whose tally reached the threshold. */
  public async openWindow(
    id: string, windowId: string, now: number, token: string, settings: WindowSettings & TransitionSettings,
  ): Promise<WriteOutcome> {
    const fields = openedFields(now, settings, 0, token);
    return this.update(id, now, settings, {
      set: [
        '#state = :open', 'openedAt = :now', 'openUntil = :until', 'consecutiveOpenings = :zero', 'successCount = :zero',
        'openedBy = :token', 'transitionToken = :token', 'transitionFrom = :closed',
      ],
      remove: ['windowStart', 'windowId', 'tallies', 'announced', 'announcer'],
      condition: '#state = :closed AND windowId = :window',
      names: { '#state': 'state' },
      values: {
        ':closed': { S: CircuitState.CLOSED },
        ':open': { S: fields.state },
        ':until': { N: String(fields.openUntil) },
        ':zero': { N: '0' },
        ':token': { S: token },
        ':window': { S: windowId },
      },
    }, (current) => current.openedBy === token);
  }

  /**
   * Claims the announcement of the transition carrying `transitionToken` (its metric is then emitted by the
   * claimer, and by nobody else). Neither the version nor `updatedAt` changes: a claim must not make a prober's
   * result write or an election computed from the transition fail its condition.
   */
  public async claimAnnouncement(id: string, transitionToken: string, claimToken: string): Promise<WriteOutcome> {
    try {
      const out = await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(id),
        UpdateExpression: 'SET announced = :transition, announcer = :claim',
        ConditionExpression: 'transitionToken = :transition AND attribute_exists(transitionFrom) AND (attribute_not_exists(announced) OR announced <> :transition)',
        ExpressionAttributeValues: { ':transition': { S: transitionToken }, ':claim': { S: claimToken } },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { written: true, record: itemToRecord(id, out.Attributes) };
    } catch (err) {
      return this.lostCondition(id, err, (current) => current.announced === transitionToken && current.announcer === claimToken);
    }
  }

  private key(id: string): Record<string, AttributeValue> {
    return { [CIRCUIT_TABLE.partitionKey]: { S: id } };
  }

  /** Runs `u` with the bookkeeping every write does: version + 1, `updatedAt`, TTL refreshed. */
  private async update(
    id: string, now: number, settings: WindowSettings, u: Update, ownWrite: (current: CircuitRecord) => boolean,
  ): Promise<WriteOutcome> {
    const set = [...u.set, 'updatedAt = :now', '#ttl = :exp'];
    const expression = [`SET ${set.join(', ')}`, u.remove?.length ? `REMOVE ${u.remove.join(', ')}` : '', 'ADD version :one'];
    try {
      const out = await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: this.key(id),
        UpdateExpression: expression.filter(Boolean).join(' '),
        ConditionExpression: u.condition,
        ExpressionAttributeNames: { ...u.names, ...usedKeyNames(u) },
        ExpressionAttributeValues: { ...u.values, ':one': { N: '1' }, ':now': { N: String(now) }, ':exp': { N: String(expiration(now, settings)) } },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { written: true, record: itemToRecord(id, out.Attributes) };
    } catch (err) {
      return this.lostCondition(id, err, ownWrite);
    }
  }

  private lostCondition(id: string, err: unknown, ownWrite: (current: CircuitRecord) => boolean): WriteOutcome {
    if (err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException') {
      const item = (err as ConditionalCheckFailedException).Item;
      const current = item ? itemToRecord(id, item) : undefined;
      // Our own earlier attempt committed; this failure is its retry meeting it.
      if (current && ownWrite(current)) return { written: true, record: current };
      return { written: false, current };
    }
    throw err;
  }
}

/** The key-attribute placeholders an update uses (DynamoDB rejects unused names); the TTL is set by every update. */
function usedKeyNames(u: Update): Record<string, string> {
  return { '#ttl': KEY_NAMES['#ttl'], ...(u.condition.includes('#pk') ? { '#pk': KEY_NAMES['#pk'] } : {}) };
}

/** Settings the counting writes depend on. */
export interface WindowSettings {
  readonly failureWindowMs: number;
  readonly recordTtlSeconds: number;
}
