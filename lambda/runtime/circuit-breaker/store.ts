/**
 * DynamoDB persistence of circuit records. Transitions are whole-item puts conditional on the version the caller
 * read (one winner per version: that is the probe election). Only the failure counter is an atomic ADD, because
 * concurrent failures must all count without read-modify-write retries.
 */
import {
  ConditionalCheckFailedException,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { itemToRecord, recordToItem } from './codec';
import { expiration } from './transitions';
import { CircuitRecord, CircuitState, FailureCounting } from './types';

/**
 * The client used when none is passed: two attempts, and connection and request timeouts that really fail the
 * request (recent SDKs only warn on a request timeout unless told to throw), so a store that hangs cannot hang
 * the guarded call with it.
 */
export function defaultDynamoDbClient(timeoutMs: number): DynamoDBClient {
  return new DynamoDBClient({
    maxAttempts: 2,
    requestHandler: { connectionTimeout: timeoutMs, requestTimeout: timeoutMs, throwOnRequestTimeout: true },
  });
}

/** Result of a conditional write. */
export type WriteOutcome =
  | { readonly written: true; readonly record: CircuitRecord }
  /** Someone else wrote first; `current` is the item as DynamoDB returned it with the failure, when it did. */
  | { readonly written: false; readonly current?: CircuitRecord };

/** How the failure counter behaves. */
export interface FailureCountingSettings {
  readonly failureCounting: FailureCounting;
  readonly failureWindowMs: number;
  readonly recordTtlSeconds: number;
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
    const out = await this.client.send(new GetItemCommand({ TableName: this.tableName, Key: { id: { S: id } }, ConsistentRead: true }));
    return itemToRecord(id, out.Item);
  }

  /** Writes `next` only if the item still has `seen.version` (or still does not exist when that is 0). */
  public async replace(seen: CircuitRecord, next: CircuitRecord): Promise<WriteOutcome> {
    try {
      await this.client.send(new PutItemCommand({
        TableName: this.tableName,
        Item: recordToItem(next),
        ...(seen.version === 0
          ? { ConditionExpression: 'attribute_not_exists(id)' }
          : { ConditionExpression: 'version = :seen', ExpressionAttributeValues: { ':seen': { N: String(seen.version) } } }),
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { written: true, record: next };
    } catch (err) {
      return this.lostCondition(seen.id, err);
    }
  }

  /**
   * Counts one failure while the circuit is CLOSED and returns the updated record. A circuit that is no longer
   * CLOSED is not touched (its failure no longer matters) and comes back as `written: false`.
   */
  public async countFailure(seen: CircuitRecord, now: number, settings: FailureCountingSettings): Promise<WriteOutcome> {
    if (settings.failureCounting === FailureCounting.CONSECUTIVE) {
      return this.update(seen.id, now, settings, 'ADD failureCount :one', 'attribute_not_exists(id) OR #state = :closed', {});
    }
    const cutoff = now - settings.failureWindowMs;
    const startWindow = () => this.update(
      seen.id, now, settings,
      'SET failureCount = :one, windowStart = :now',
      '(attribute_not_exists(id) OR #state = :closed) AND (attribute_not_exists(windowStart) OR windowStart <= :cutoff)',
      { ':cutoff': { N: String(cutoff) } },
    );
    const addToWindow = () => this.update(
      seen.id, now, settings,
      'ADD failureCount :one',
      '#state = :closed AND windowStart > :cutoff',
      { ':cutoff': { N: String(cutoff) } },
    );
    // Try the branch our (possibly stale) view predicts first; the other one only if the circuit is still CLOSED.
    const windowOpen = seen.state === CircuitState.CLOSED && seen.windowStart !== undefined && seen.windowStart > cutoff;
    const first = await (windowOpen ? addToWindow() : startWindow());
    if (first.written || (first.current && first.current.state !== CircuitState.CLOSED)) return first;
    return windowOpen ? startWindow() : addToWindow();
  }

  private async update(
    id: string,
    now: number,
    settings: FailureCountingSettings,
    change: string,
    condition: string,
    values: UpdateItemCommandInput['ExpressionAttributeValues'],
  ): Promise<WriteOutcome> {
    // SET and ADD clauses are merged into one expression: DynamoDB allows each keyword once.
    const [setPart, addPart] = splitClauses(change);
    const set = ['#state = if_not_exists(#state, :closed)', 'updatedAt = :now', 'expiration = :exp', ...setPart].join(', ');
    const add = ['version :one', ...addPart].join(', ');
    try {
      const out = await this.client.send(new UpdateItemCommand({
        TableName: this.tableName,
        Key: { id: { S: id } },
        UpdateExpression: `SET ${set} ADD ${add}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':closed': { S: CircuitState.CLOSED },
          ':one': { N: '1' },
          ':now': { N: String(now) },
          ':exp': { N: String(expiration(now, settings)) },
          ...values,
        },
        ReturnValues: 'ALL_NEW',
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      return { written: true, record: itemToRecord(id, out.Attributes) };
    } catch (err) {
      return this.lostCondition(id, err);
    }
  }

  private lostCondition(id: string, err: unknown): WriteOutcome {
    if (err instanceof ConditionalCheckFailedException || (err as { name?: string })?.name === 'ConditionalCheckFailedException') {
      const item = (err as ConditionalCheckFailedException).Item;
      return { written: false, current: item ? itemToRecord(id, item) : undefined };
    }
    throw err;
  }
}

function splitClauses(change: string): [string[], string[]] {
  const match = /^(SET|ADD) (.*)$/.exec(change);
  if (!match) throw new Error(`unsupported update clause: ${change}`);
  return match[1] === 'SET' ? [[match[2]], []] : [[], [match[2]]];
}
