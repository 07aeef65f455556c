/**
 * Change-capture mode of the TransactionalOutbox: the entity item's own change is the event. One write per event (a
 * PutItem or UpdateItem, from a Lambda function or straight from an API Gateway service integration), no outbox row
 * and no transaction.
 */
export interface OutboxCaptureOptions {
  /**
   * Item types whose creations and changes are published: values of `typeAttribute`. Items of other types (and items
   * without the attribute) are not published. Each type's value is the event's detail-type.
   */
  readonly itemTypes: string[];
  /**
   * Attributes of the item's new image copied into the event's `data`. Attributes not listed are never published
   * (keep secrets and internal bookkeeping out); listed attributes the item lacks are left out of `data`.
   */
  readonly attributes: string[];
  /**
   * The string attribute naming the item's type (and so the event's detail-type).
   * @default 'type'
   */
  readonly typeAttribute?: string;
  /**
   * The string attribute whose value is the event's aggregate id: the FIFO message group of a FIFO target. Order is
   * kept per item (DynamoDB Streams orders records per item only); items sharing an aggregate id are not ordered with
   * respect to each other.
   * @default - the table's partition key
   */
  readonly aggregateIdAttribute?: string;
  /**
   * The number attribute every writer increments by one on each write of the item (1 on creation, e.g. UpdateItem
   * `ADD version :one`): the event's `sequence`, per item. Consumers see a gap when it jumps by more than one. An item
   * of a captured type without it cannot be published.
   * @default 'version'
   */
  readonly sequenceAttribute?: string;
}
