export * from './core';
export * from './fifo-fanout';
export * from './nag';
export * from './examples';
