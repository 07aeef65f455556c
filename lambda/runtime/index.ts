export * from './fifo-message';
export * from './fifo-publisher';
export * from './fifo-consumer';
export * from './event-record';
export * from './idempotency-key';
export * from './idempotent-consumer';
export * from './circuit-breaker';
