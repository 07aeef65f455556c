export * from './alarms';
export * from './pattern-function';
export * from './queue-consumer';
export * from './secure-queue';
