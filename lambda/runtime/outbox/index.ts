/**
 * The transactional outbox writer: business writes and their events in one DynamoDB transaction, published by the
 * TransactionalOutbox construct's pipe. Only the public API is re-exported; the pipe enrichment imports the row
 * format by path.
 */
export { isCapturedItem, MalformedCapturedItemError } from './captured-item';
export type { CapturedItemDelivery, CapturedItemMetadata, CapturedStreamRecord, PublishedCapturedItem } from './captured-item';
export { OUTBOX_ENV, OutboxConfigError, OutboxTarget, resolveOutboxWriterConfig } from './config';
export type { OutboxWriterConfig, OutboxWriterSettings } from './config';
export { EVENT_ID_PATTERN, EventIdGenerator, eventIdTime } from './event-id';
export type { MillisClock } from './event-id';
export { MalformedOutboxRowError, outboxDeliveryFrom } from './outbox-row';
export type { OutboxDelivery, OutboxStreamRecord, OutboxTableShape } from './outbox-row';
export { NotAnOutboxEventError, outboxEventFrom } from './published-event';
export type { OutboxEventMetadata, PublishedOutboxEvent } from './published-event';
export { attributeValueBytes, eventEntryBytes, itemBytes } from './sizes';
export type { EventEntryParts } from './sizes';
export type { TableKeys } from './transaction-checks';
export { OutboxTransactionRejectedError, OutboxWriter } from './writer';
export type {
  OutboxEvent, OutboxTransactionRequest, OutboxWriteResult, OutboxWriterOptions, PreparedOutboxTransaction, WrittenOutboxEvent,
} from './writer';
