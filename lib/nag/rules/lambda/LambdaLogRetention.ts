import { NagRuleCompliance } from 'cdk-nag';
import { FUNCTION } from '../../private/lambda';
import { compliantUnless, defineRule } from '../../private/rule';
import { AppTemplate, TemplateResource } from '../../private/template';
import { isPlainObject, pathValue, stringValue, tryOr } from '../../private/values';

const LOG_GROUP = 'AWS::Logs::LogGroup';
/** aws-cdk-lib's `logRetention` custom resource: sets retention on the function's implicit log group. */
const LOG_RETENTION = 'Custom::LogRetention';

/**
 * A function's logs expire: its log group (`LoggingConfig.LogGroup`, or the `/aws/lambda/<name>` group the app
 * creates for it) has `RetentionInDays`, or aws-cdk-lib's log-retention resource sets it. Without one, Lambda
 * creates a group that keeps every line forever. Not applicable when the function names a log group outside the app.
 */
export const LambdaLogRetention = defineRule(__filename, [FUNCTION], (fn, template) => {
  const explicit = pathValue(fn.properties, ['LoggingConfig', 'LogGroup'], 'LoggingConfig');
  if (explicit !== undefined) {
    const group = template.resourceAt(explicit, fn, LOG_GROUP);
    if (!group) return NagRuleCompliance.NOT_APPLICABLE;
    return compliantUnless(group.properties.RetentionInDays === undefined);
  }
  const groups = [...template.ofType(LOG_GROUP), ...template.ofType(LOG_RETENTION)].filter((g) =>
    tryOr(() => namesDefaultLogGroup(template, g, fn), false),
  );
  return compliantUnless(!groups.some((g) => g.properties.RetentionInDays !== undefined));
});

/** Whether a log group (or log-retention resource) is named `/aws/lambda/<the function's name>`. */
function namesDefaultLogGroup(template: AppTemplate, group: TemplateResource, fn: TemplateResource): boolean {
  const name = group.properties.LogGroupName;
  if (typeof name === 'string') {
    const functionName = stringValue(fn.properties.FunctionName, 'FunctionName');
    return functionName !== undefined && name === `/aws/lambda/${functionName}`;
  }
  const join = isPlainObject(name) ? name['Fn::Join'] : undefined;
  if (!Array.isArray(join) || join[0] !== '' || !Array.isArray(join[1]) || join[1].length !== 2) return false;
  const [prefix, reference] = join[1] as unknown[];
  return prefix === '/aws/lambda/' && template.resourceAt(reference, group) === fn;
}
