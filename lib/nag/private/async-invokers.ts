import { functionAt } from './lambda';
import { AppTemplate, TemplateResource } from './template';
import { isPlainObject, listValue, pathValue, stringValue, tryOr } from './values';

/**
 * Service principals that invoke Lambda functions asynchronously (Lambda's "invoking functions asynchronously"
 * list): a `Lambda::Permission` for one of them means events arrive by asynchronous invocation.
 */
const ASYNC_SERVICE_PRINCIPALS = new Set([
  's3.amazonaws.com',
  'sns.amazonaws.com',
  'events.amazonaws.com',
  'logs.amazonaws.com',
  'ses.amazonaws.com',
  'iot.amazonaws.com',
  'iotevents.amazonaws.com',
  'codecommit.amazonaws.com',
  'config.amazonaws.com',
  'lambda.alarms.cloudwatch.amazonaws.com',
]);

const PERMISSION = 'AWS::Lambda::Permission';
const BUCKET = 'AWS::S3::Bucket';

/** Where resources name the functions they invoke asynchronously. */
const INVOKED_FUNCTIONS: Record<string, (p: Record<string, unknown>) => unknown[]> = {
  'AWS::SNS::Subscription': (p) => (p.Protocol === 'lambda' ? [p.Endpoint] : []),
  'AWS::SNS::Topic': (p) => listValue(p.Subscription, 'Subscription').filter((s) => isPlainObject(s) && s.Protocol === 'lambda').map((s) => (s as Record<string, unknown>).Endpoint),
  'AWS::Events::Rule': (p) => listValue(p.Targets, 'Targets').map((t) => pathValue(t, ['Arn'], 'target')),
  'AWS::Scheduler::Schedule': (p) => [pathValue(p, ['Target', 'Arn'], 'target')],
  [BUCKET]: (p) => s3NotificationFunctions(p.NotificationConfiguration),
  'Custom::S3BucketNotifications': (p) => s3NotificationFunctions(p.NotificationConfiguration),
  'AWS::Lambda::Permission': (p) => (ASYNC_SERVICE_PRINCIPALS.has(stringValue(p.Principal, 'Principal') ?? '') ? [p.FunctionName] : []),
};

function s3NotificationFunctions(configuration: unknown): unknown[] {
  return listValue(pathValue(configuration, ['LambdaFunctionConfigurations'], 'notifications'), 'notifications')
    .concat(listValue(pathValue(configuration, ['LambdaConfigurations'], 'notifications'), 'notifications'))
    .map((c) => pathValue(c, ['Function'], 'function') ?? pathValue(c, ['LambdaFunctionArn'], 'function'));
}

/**
 * The permissions that may be for an asynchronous invoker, rendered; a permission whose principal is plainly
 * another (API Gateway, a load balancer, an account) is not rendered at all: apps hold many of them.
 */
function asyncPermissions(template: AppTemplate): TemplateResource[] {
  return template
    .nodesOfType(PERMISSION)
    .filter((node) => {
      const principal = template.peek(node, 'principal');
      return typeof principal !== 'string' || ASYNC_SERVICE_PRINCIPALS.has(principal);
    })
    .map((node) => template.get(node))
    .filter((r): r is TemplateResource => r?.type === PERMISSION);
}

/**
 * The resources of one invoker type that may invoke a function, rendered. Permissions and buckets are filtered
 * before rendering: most permissions are for API Gateway or load balancers, and most buckets notify nothing (the
 * CDK writes bucket notifications as a custom resource).
 */
function invokerCandidates(template: AppTemplate, type: string): TemplateResource[] {
  if (type === PERMISSION) return asyncPermissions(template);
  if (type !== BUCKET) return template.ofType(type);
  return template
    .nodesOfType(BUCKET)
    .filter((node) => template.mayHave(node, 'notificationConfiguration'))
    .map((node) => template.get(node))
    .filter((r): r is TemplateResource => r?.type === BUCKET);
}

/** The resources that invoke each function of the app asynchronously. */
export function asyncInvokers(template: AppTemplate, fn: TemplateResource): TemplateResource[] {
  const byFunction = template.memo('lambda:async-invokers', () => {
    const map = new Map<TemplateResource, TemplateResource[]>();
    for (const [type, functionsOf] of Object.entries(INVOKED_FUNCTIONS)) {
      for (const invoker of invokerCandidates(template, type)) {
        for (const value of tryOr(() => functionsOf(invoker.properties), [])) {
          const target = value === undefined ? undefined : functionAt(template, value, invoker);
          if (target) map.set(target, [...(map.get(target) ?? []), invoker]);
        }
      }
    }
    return map;
  });
  return byFunction.get(fn) ?? [];
}

/** The `AWS::Lambda::EventInvokeConfig` resources of each function of the app (any qualifier). */
export function eventInvokeConfigsOf(template: AppTemplate, fn: TemplateResource): TemplateResource[] {
  const byFunction = template.memo('lambda:event-invoke-configs', () => {
    const map = new Map<TemplateResource, TemplateResource[]>();
    for (const config of template.ofType('AWS::Lambda::EventInvokeConfig')) {
      const target = functionAt(template, config.properties.FunctionName, config);
      if (target) map.set(target, [...(map.get(target) ?? []), config]);
    }
    return map;
  });
  return byFunction.get(fn) ?? [];
}
