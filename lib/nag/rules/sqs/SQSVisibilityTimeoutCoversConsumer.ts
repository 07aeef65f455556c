import { NagRuleCompliance } from 'cdk-nag';
import { SQS } from '../../../core/private/limits';
import { EVENT_SOURCE_MAPPING, functionAt, functionTimeoutSeconds } from '../../private/lambda';
import { QUEUE } from '../../private/messaging';
import { compliantUnless, defineRule } from '../../private/rule';
import { numberValue } from '../../private/values';

/**
 * The queue a Lambda event source mapping reads keeps a received batch invisible for at least 6 × the function's
 * timeout + the mapping's batching window, so a batch still being processed (or retried after a throttle) is not
 * delivered a second time. Checked on the mapping; not applicable when the queue or function is outside the app.
 */
export const SQSVisibilityTimeoutCoversConsumer = defineRule(__filename, [EVENT_SOURCE_MAPPING], (esm, template) => {
  const queue = template.resourceAt(esm.properties.EventSourceArn, esm, QUEUE);
  const fn = functionAt(template, esm.properties.FunctionName, esm);
  if (!queue || !fn) return NagRuleCompliance.NOT_APPLICABLE;
  const visibility = numberValue(queue.properties.VisibilityTimeout, 'VisibilityTimeout', SQS.defaultVisibilityTimeoutSeconds);
  const window = numberValue(esm.properties.MaximumBatchingWindowInSeconds, 'MaximumBatchingWindowInSeconds', 0);
  return compliantUnless(visibility < 6 * functionTimeoutSeconds(fn) + window);
});
