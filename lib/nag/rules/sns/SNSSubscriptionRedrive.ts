import { NagRuleCompliance } from 'cdk-nag';
import { SUBSCRIPTION, TOPIC } from '../../private/messaging';
import { compliantUnless, defineRule } from '../../private/rule';
import { isPlainObject, listValue } from '../../private/values';

/** Protocols whose undeliverable messages a subscription dead-letter queue can catch and the rule covers. */
const REDRIVEN_PROTOCOLS = ['sqs', 'lambda'];

/**
 * An SNS subscription to a queue or function has a `RedrivePolicy`: messages SNS cannot deliver (deleted or
 * misconfigured endpoint, missing permission, KMS key it cannot use) are otherwise discarded after its retries.
 * Subscriptions declared inline on a topic (`Subscription`) cannot have one and are reported on the topic.
 */
export const SNSSubscriptionRedrive = defineRule(__filename, [SUBSCRIPTION, TOPIC], (resource) => {
  if (resource.type === TOPIC) {
    const inline = listValue(resource.properties.Subscription, 'Subscription');
    if (inline.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    return compliantUnless(inline.some((s) => isPlainObject(s) && REDRIVEN_PROTOCOLS.includes(String(s.Protocol))));
  }
  if (!REDRIVEN_PROTOCOLS.includes(String(resource.properties.Protocol))) return NagRuleCompliance.NOT_APPLICABLE;
  return compliantUnless(resource.properties.RedrivePolicy === undefined);
});
