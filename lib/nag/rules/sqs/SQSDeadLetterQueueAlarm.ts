import { NagRuleCompliance } from 'cdk-nag';
import { firesOnFirstUnit, presenceResult, queueAlarmPresence } from '../../private/alarms';
import { deadLetterUses, QUEUE } from '../../private/messaging';
import { defineRule } from '../../private/rule';

/**
 * A queue that receives failures (a queue's redrive target, a subscription, rule-target, pipe or Lambda
 * dead-letter queue, an on-failure destination) has a CloudWatch alarm on `ApproximateNumberOfMessagesVisible`
 * that fires on the first message: each one is a lost business event.
 */
export const SQSDeadLetterQueueAlarm = defineRule(__filename, [QUEUE], (queue, template) => {
  if (!deadLetterUses(template).has(queue)) return NagRuleCompliance.NOT_APPLICABLE;
  return presenceResult(queueAlarmPresence(template, queue, 'ApproximateNumberOfMessagesVisible', firesOnFirstUnit));
});
