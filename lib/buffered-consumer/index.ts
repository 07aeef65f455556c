export * from './buffered-event-consumer';
export * from './idempotency-table';
export * from './fifo-ingest';
