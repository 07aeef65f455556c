import { NagRuleCompliance } from 'cdk-nag';
import { deadLetterQueueOf, DEFAULT_RETENTION_SECONDS, isFifoQueue, QUEUE } from '../../private/messaging';
import { compliantUnless, defineRule } from '../../private/rule';
import { numberValue } from '../../private/values';

/**
 * A standard queue's dead-letter queue keeps messages longer than the queue does: a message keeps its original
 * enqueue time when it is moved, so with an equal or shorter retention it can expire on arrival. Not applicable to
 * FIFO queues, whose messages get a new enqueue time when they are moved.
 */
export const SQSDeadLetterQueueOutlivesSource = defineRule(__filename, [QUEUE], (queue, template) => {
  const deadLetterQueue = deadLetterQueueOf(template, queue);
  if (!deadLetterQueue || isFifoQueue(queue)) return NagRuleCompliance.NOT_APPLICABLE;
  const retention = (q: typeof queue) =>
    numberValue(q.properties.MessageRetentionPeriod, 'MessageRetentionPeriod', DEFAULT_RETENTION_SECONDS);
  return compliantUnless(retention(deadLetterQueue) <= retention(queue));
});
