export * from './fifo-fanout';
export * from './fifo-subscriber';
