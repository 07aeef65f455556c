import { NagRuleCompliance } from 'cdk-nag';
import { QUEUE, redrivePolicyOf } from '../../private/messaging';
import { compliantUnless, defineRule } from '../../private/rule';
import { numberValue } from '../../private/values';

/**
 * A queue's redrive policy lets a message be received at least twice before it is dead-lettered: with
 * `maxReceiveCount` 1, one throttled, timed-out or partially failed batch moves healthy messages to the DLQ.
 */
export const SQSMaxReceiveCountAboveOne = defineRule(__filename, [QUEUE], (queue) => {
  const maxReceiveCount = numberValue(redrivePolicyOf(queue)?.maxReceiveCount, 'maxReceiveCount');
  if (maxReceiveCount === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  return compliantUnless(maxReceiveCount < 2);
});
