import { NagRuleCompliance } from 'cdk-nag';
import { presenceResult, queueAlarmPresence } from '../../private/alarms';
import { deadLetterUses, eventSourceMappingsOf, QUEUE } from '../../private/messaging';
import { defineRule } from '../../private/rule';

/**
 * A queue a Lambda function consumes (other than a dead-letter queue) has a CloudWatch alarm on
 * `ApproximateAgeOfOldestMessage`: a consumer that falls behind or stops is otherwise noticed only when messages
 * expire. Not applicable when an alarm's queue dimension cannot be resolved.
 */
export const SQSConsumerAgeAlarm = defineRule(__filename, [QUEUE], (queue, template) => {
  if (eventSourceMappingsOf(template, queue).length === 0 || deadLetterUses(template).has(queue)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return presenceResult(queueAlarmPresence(template, queue, ['ApproximateAgeOfOldestMessage']));
});

