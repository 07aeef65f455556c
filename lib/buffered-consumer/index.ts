export * from './buffered-event-consumer';
export * from './idempotency-table';
