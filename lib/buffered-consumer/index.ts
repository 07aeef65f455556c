export { BufferedEventConsumer, BufferedEventConsumerProps } from './buffered-event-consumer';
export { BufferedEventInput } from './contract';
export { IdempotencyTable, IdempotencyTableProps } from './idempotency-table';
