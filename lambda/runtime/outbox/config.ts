/**
 * Writer settings: options first, then the environment the construct's `grantWrite` sets, then defaults. A missing or
 * malformed setting throws when the writer is built, so a misconfigured function fails its first cold start.
 */
import type { OutboxTableShape } from './outbox-row';
import { maxOutboxEventBytes, OUTBOX_DEFAULTS, OUTBOX_ENV, OUTBOX_LIMITS, OutboxTarget } from '../../../lib/transactional-outbox/contract';

export { OUTBOX_ENV, OutboxTarget } from '../../../lib/transactional-outbox/contract';

/** Settings of an OutboxWriter; every one also has an environment variable (see `OUTBOX_ENV`). */
export interface OutboxWriterSettings {
  /** The outbox table. @default - `OUTBOX_TABLE_NAME`; required */
  readonly tableName?: string;
  /** Its partition key. @default - `OUTBOX_PARTITION_KEY`, else 'pk' */
  readonly partitionKey?: string;
  /**
   * Its sort key; `null` for a table with a partition key only.
   * @default - `OUTBOX_SORT_KEY` when set by the construct, else 'sk'
   */
  readonly sortKey?: string | null;
  /** Its TTL attribute. @default - `OUTBOX_TIME_TO_LIVE_ATTRIBUTE`, else 'expiresAt' */
  readonly timeToLiveAttribute?: string;
  /** How long an aggregate's outbox item is kept after its latest event, seconds. @default - `OUTBOX_RETENTION_SECONDS`, else 14 days */
  readonly retentionSeconds?: number;
  /** The `source` the pipe gives every event (counted in the entry size). @default - `OUTBOX_EVENT_SOURCE`; required */
  readonly eventSource?: string;
  /** Where the pipe delivers. @default - `OUTBOX_TARGET`, else OutboxTarget.EVENT_BUS */
  readonly target?: OutboxTarget;
  /**
   * The pipe's batch size (1 to 10): a batch is one request to the target, so it decides the largest event the writer
   * accepts (`maxOutboxEventBytes` in the contract).
   * @default - `OUTBOX_BATCH_SIZE`, else 10
   */
  readonly batchSize?: number;
}

/** Fully resolved settings. */
export interface OutboxWriterConfig extends OutboxTableShape {
  readonly retentionSeconds: number;
  readonly eventSource: string;
  readonly target: OutboxTarget;
  readonly batchSize: number;
  /** The largest event, bytes as the target counts them: derived from target and batch size. */
  readonly maxEventBytes: number;
}

/** A missing or invalid writer setting. */
export class OutboxConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutboxConfigError';
  }
}

type Environment = Record<string, string | undefined>;

/** Resolves and validates the writer's settings. */
export function resolveOutboxWriterConfig(settings: OutboxWriterSettings = {}, env: Environment = process.env): OutboxWriterConfig {
  const fromEnv = (name: string) => (env[name] === '' ? undefined : env[name]);
  const required = (value: string | undefined, setting: string, envName: string) => {
    if (!value) throw new OutboxConfigError(`OutboxWriter: no ${setting}: pass ${setting} or set ${envName} (TransactionalOutbox.grantWrite does)`);
    return value;
  };
  // The construct sets OUTBOX_PARTITION_KEY on every writer and OUTBOX_SORT_KEY only for tables that have one.
  const constructConfigured = fromEnv(OUTBOX_ENV.PARTITION_KEY) !== undefined;
  const sortKey = settings.sortKey === null ? undefined
    : settings.sortKey ?? fromEnv(OUTBOX_ENV.SORT_KEY) ?? (constructConfigured ? undefined : OUTBOX_DEFAULTS.sortKey);
  const retentionText = fromEnv(OUTBOX_ENV.RETENTION_SECONDS);
  const retentionSeconds = settings.retentionSeconds ?? (retentionText === undefined ? OUTBOX_DEFAULTS.retentionSeconds : Number(retentionText));
  if (!Number.isInteger(retentionSeconds) || retentionSeconds <= 0) {
    throw new OutboxConfigError(`OutboxWriter: retentionSeconds must be a positive whole number, got ${retentionText ?? retentionSeconds}`);
  }
  const target = settings.target ?? fromEnv(OUTBOX_ENV.TARGET) ?? OUTBOX_DEFAULTS.target;
  if (!(Object.values(OutboxTarget) as string[]).includes(target)) {
    throw new OutboxConfigError(`OutboxWriter: target '${target}' is not one of ${Object.values(OutboxTarget).join(', ')}`);
  }
  const batchText = fromEnv(OUTBOX_ENV.BATCH_SIZE);
  const batchSize = settings.batchSize ?? (batchText === undefined ? OUTBOX_DEFAULTS.batchSize : Number(batchText));
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > OUTBOX_LIMITS.maxBatchSize) {
    throw new OutboxConfigError(`OutboxWriter: batchSize must be a whole number from 1 to ${OUTBOX_LIMITS.maxBatchSize}, got ${batchText ?? batchSize}`);
  }
  const eventSource = required(settings.eventSource ?? fromEnv(OUTBOX_ENV.EVENT_SOURCE), 'eventSource', OUTBOX_ENV.EVENT_SOURCE);
  if (eventSource.length > OUTBOX_LIMITS.maxSourceLength) {
    throw new OutboxConfigError(`OutboxWriter: eventSource is ${eventSource.length} characters, EventBridge allows ${OUTBOX_LIMITS.maxSourceLength}`);
  }
  return {
    tableName: required(settings.tableName ?? fromEnv(OUTBOX_ENV.TABLE_NAME), 'tableName', OUTBOX_ENV.TABLE_NAME),
    partitionKey: settings.partitionKey ?? fromEnv(OUTBOX_ENV.PARTITION_KEY) ?? OUTBOX_DEFAULTS.partitionKey,
    sortKey,
    timeToLiveAttribute: settings.timeToLiveAttribute ?? fromEnv(OUTBOX_ENV.TIME_TO_LIVE_ATTRIBUTE) ?? OUTBOX_DEFAULTS.timeToLiveAttribute,
    retentionSeconds,
    eventSource,
    target: target as OutboxTarget,
    batchSize,
    maxEventBytes: maxOutboxEventBytes(target as OutboxTarget, batchSize),
  };
}
