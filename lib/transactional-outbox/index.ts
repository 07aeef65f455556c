export { OutboxCaptureOptions } from './capture';
export { OutboxTarget } from './contract';
export { OutboxPipeLogLevel, OutboxStartingPosition, OutboxTableAttributes, TransactionalOutboxProps } from './props';
export { TransactionalOutbox } from './transactional-outbox';
