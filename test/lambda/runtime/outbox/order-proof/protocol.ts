/** What the order proof hands each writer process and what it reports back. */

/** How events are laid out in the table. */
export type OutboxLayout =
  /** Today's layout: one outbox item per aggregate, each event a new image of it (OutboxWriter). */
  | 'aggregate-item'
  /** The layout before it, kept to show the proof fails on it: one outbox row per event, keyed OUTBOX#<event id>. */
  | 'row-per-event';

export interface WriterTask {
  readonly endpoint: string;
  readonly table: string;
  readonly layout: OutboxLayout;
  /** The aggregates this process writes events for (every process gets the same ones, so they contend). */
  readonly aggregates: readonly string[];
  /** Transactions to commit. */
  readonly transactions: number;
  /** Seeds the choice of aggregate for each transaction. */
  readonly seed: number;
  /** Names the process in the events it writes. */
  readonly writer: string;
}

export interface WriterResult {
  readonly committed: number;
  /** Transactions cancelled because another process changed the aggregate first (then retried on a fresh read). */
  readonly cancelled: number;
}

/** The event detail every writer publishes: the aggregate's version after the change, from its business item. */
export interface ChangeDetail {
  readonly aggregate: string;
  readonly version: number;
  readonly writer: string;
}

export const EVENT_SOURCE = 'com.example.order-proof';

/** The business item of an aggregate and, beside it, its outbox item (or rows). */
export const aggregatePartition = (aggregate: string) => `AGG#${aggregate}`;
export const BUSINESS_SORT_KEY = 'STATE';
