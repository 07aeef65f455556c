/**
 * The one contract between FifoFanout and the FIFO publisher runtime helper: the environment the
 * construct sets and the publisher reads, and the message attribute filter policies match on. It imports nothing, so it compiles into both the jsii library and the runtime
 * helpers.
 */

/** Environment variables `FifoFanout.grantPublish` sets on a function and the FIFO publisher reads. */
export const FIFO_FANOUT_ENV = {
  /** ARN of the FIFO topic; `FifoPublisher` publishes to it when no `topicArn` is passed. */
  TOPIC_ARN: 'FIFO_FANOUT_TOPIC_ARN',
} as const;


/**
 * Name of the message attribute that carries a message's event type: the FIFO publisher sets it, the consumer reads it,
 * and subscriber filter policies match on it (e.g. `{ eventType: SubscriptionFilter.stringFilter(...) }`).
 */
export const EVENT_TYPE_ATTRIBUTE = 'eventType';
