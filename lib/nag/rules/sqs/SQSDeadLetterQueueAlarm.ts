import { NagRuleCompliance } from 'cdk-nag';
import { firesOnFirstUnit, presenceResult, queueAlarmPresence } from '../../private/alarms';
import { deadLetterUses, QUEUE } from '../../private/messaging';
import { defineRule } from '../../private/rule';

/**
 * A queue that receives failures (a queue's redrive target, a subscription, rule-target, pipe or Lambda
 * dead-letter queue, an on-failure destination) has a CloudWatch alarm that fires on the first message: each one is
 * a lost business event. `ApproximateNumberOfMessagesVisible` always counts; `NumberOfMessagesSent` counts only for
 * queues no queue redrives into, because SQS does not count messages it moves to a dead-letter queue as sent.
 */
export const SQSDeadLetterQueueAlarm = defineRule(__filename, [QUEUE], (queue, template) => {
  const uses = deadLetterUses(template).get(queue);
  if (!uses) return NagRuleCompliance.NOT_APPLICABLE;
  const redriveTarget = uses.some((use) => use.user.type === QUEUE);
  const metrics = redriveTarget ? ['ApproximateNumberOfMessagesVisible'] : ['ApproximateNumberOfMessagesVisible', 'NumberOfMessagesSent'];
  return presenceResult(queueAlarmPresence(template, queue, metrics, firesOnFirstUnit));
});
