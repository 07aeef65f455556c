import { compliantUnless, defineRule } from '../../private/rule';
import { numberValue } from '../../private/values';

/** Lambda's limits for asynchronous invocation settings. */
const MAX_RETRY_ATTEMPTS = 2;
const MIN_EVENT_AGE_SECONDS = 60;
const MAX_EVENT_AGE_SECONDS = 21_600;

/**
 * An `EventInvokeConfig` stays within what Lambda accepts: `MaximumRetryAttempts` 0..2 and
 * `MaximumEventAgeInSeconds` 60..21600 (6 hours). Anything else fails at deployment, after the stack started.
 */
export const LambdaEventInvokeConfigBounds = defineRule(__filename, ['AWS::Lambda::EventInvokeConfig'], (config) => {
  const retries = numberValue(config.properties.MaximumRetryAttempts, 'MaximumRetryAttempts');
  const age = numberValue(config.properties.MaximumEventAgeInSeconds, 'MaximumEventAgeInSeconds');
  const retriesOutside = retries !== undefined && (retries < 0 || retries > MAX_RETRY_ATTEMPTS || !Number.isInteger(retries));
  const ageOutside = age !== undefined && (age < MIN_EVENT_AGE_SECONDS || age > MAX_EVENT_AGE_SECONDS || !Number.isInteger(age));
  return compliantUnless(retriesOutside || ageOutside);
});
