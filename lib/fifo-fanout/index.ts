export { FifoFanout, FifoFanoutProps } from './fifo-fanout';
export { FifoSubscriber, FifoSubscriberOptions, FifoSubscriberProps } from './fifo-subscriber';
