export * from './fifo-message';
export * from './fifo-publisher';
export * from './fifo-consumer';
