import { NagRuleCompliance } from 'cdk-nag';
import { FUNCTION } from '../../private/lambda';
import { compliantUnless, defineRule } from '../../private/rule';
import { objectValue, stringValue } from '../../private/values';

/**
 * A function sets `LoggingConfig.ApplicationLogLevel` or `SystemLogLevel` only with `LogFormat: JSON`: Lambda
 * filters log levels only for JSON logs, and rejects the levels with plain-text logs.
 */
export const LambdaLogLevelNeedsJson = defineRule(__filename, [FUNCTION], (fn) => {
  const logging = objectValue(fn.properties.LoggingConfig, 'LoggingConfig');
  if (!logging || (logging.ApplicationLogLevel === undefined && logging.SystemLogLevel === undefined)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  return compliantUnless(stringValue(logging.LogFormat, 'LogFormat') !== 'JSON');
});
