import { NagRuleCompliance } from 'cdk-nag';
import { isFifoQueue, isFifoTopic, QUEUE, redrivePolicyOf, SUBSCRIPTION, TOPIC } from '../../private/messaging';
import { compliantUnless, defineRule } from '../../private/rule';
import { AppTemplate, TemplateResource } from '../../private/template';
import { isPlainObject, listValue, tryOr } from '../../private/values';

/**
 * FIFO-ness agrees where SQS and SNS require it: a queue and its dead-letter queue are both FIFO or both
 * standard; a standard topic cannot deliver to a FIFO queue; a subscription's dead-letter queue has its topic's
 * kind. (A FIFO topic may deliver to a standard queue: SNS supports it, with best-effort ordering.) Checked on
 * queues, subscriptions and topics with inline subscriptions.
 */
export const SQSFifoConsistency = defineRule(__filename, [QUEUE, SUBSCRIPTION, TOPIC], (resource, template) => {
  switch (resource.type) {
    case QUEUE:
      return compliantUnless(mismatched(isFifoQueue(resource), fifoOf(template, redrivePolicyOf(resource)?.deadLetterTargetArn, resource)));
    case SUBSCRIPTION:
      return checkSubscription(resource, template);
    default:
      return checkInlineSubscriptions(resource, template);
  }
});

function checkSubscription(subscription: TemplateResource, template: AppTemplate) {
  const topicFifo = fifoOf(template, subscription.properties.TopicArn, subscription);
  if (topicFifo === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const endpointFifo = subscription.properties.Protocol === 'sqs' ? fifoOf(template, subscription.properties.Endpoint, subscription) : undefined;
  const deadLetterFifo = fifoOf(template, redrivePolicyOf(subscription)?.deadLetterTargetArn, subscription);
  return compliantUnless((!topicFifo && endpointFifo === true) || mismatched(topicFifo, deadLetterFifo));
}

function checkInlineSubscriptions(topic: TemplateResource, template: AppTemplate) {
  if (isFifoTopic(topic)) return NagRuleCompliance.COMPLIANT;
  const standardToFifo = listValue(topic.properties.Subscription, 'Subscription').some(
    (s) => isPlainObject(s) && s.Protocol === 'sqs' && fifoOf(template, s.Endpoint, topic) === true,
  );
  return compliantUnless(standardToFifo);
}

/** Whether both kinds are known and differ. */
function mismatched(a: boolean | undefined, b: boolean | undefined): boolean {
  return a !== undefined && b !== undefined && a !== b;
}

/**
 * Whether the queue or topic a value names is FIFO: from its properties when the app defines it, from the name
 * (`.fifo`) of a literal ARN, undefined when unknown or absent.
 */
function fifoOf(template: AppTemplate, value: unknown, from: TemplateResource): boolean | undefined {
  if (value === undefined) return undefined;
  const denoted = template.denote(value, from);
  if (denoted.kind === 'literal') return denoted.value.endsWith('.fifo');
  if (denoted.kind === 'unknown') return undefined;
  const { resource } = denoted;
  if (resource.type === QUEUE) return tryOr(() => isFifoQueue(resource), undefined);
  if (resource.type === TOPIC) return tryOr(() => isFifoTopic(resource), undefined);
  return undefined;
}
