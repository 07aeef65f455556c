export * from './core';
export * from './fifo-fanout';
export * from './buffered-consumer';
export * from './circuit-breaker';
export * from './nag';
export * from './examples';
