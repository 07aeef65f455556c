import { NagRuleCompliance } from 'cdk-nag';
import { asyncInvokers, eventInvokeConfigsOf } from '../../private/async-invokers';
import { FUNCTION } from '../../private/lambda';
import { compliantUnless, defineRule } from '../../private/rule';
import { pathValue } from '../../private/values';

/**
 * A function that something invokes asynchronously (an SNS subscription, an EventBridge rule or schedule, an S3
 * notification, a service permission for an asynchronous invoker) keeps the events it fails on: an
 * `EventInvokeConfig` with an `OnFailure` destination, or a `DeadLetterConfig`. After two retries Lambda otherwise
 * drops them. A rule target's own dead-letter queue does not count: it only receives events EventBridge could not
 * deliver, not those the function failed.
 */
export const LambdaAsyncFailureHandling = defineRule(__filename, [FUNCTION], (fn, template) => {
  if (asyncInvokers(template, fn).length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const deadLetterQueue = pathValue(fn.properties, ['DeadLetterConfig', 'TargetArn'], 'DeadLetterConfig');
  const onFailure = eventInvokeConfigsOf(template, fn).some(
    (config) => pathValue(config.properties, ['DestinationConfig', 'OnFailure', 'Destination'], 'DestinationConfig') !== undefined,
  );
  return compliantUnless(deadLetterQueue === undefined && !onFailure);
});
