import { CfnResource, Stack, TagManager, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { SharedSlot } from './app-registry';
import { CLOUDWATCH, LAMBDA, TAGS } from './limits';
import { awsManagedAliasIn } from './queue-encryption';
import { Problems, warn } from './validation';

/** Stacks that already run these checks at synthesis. */
const checkedStacks = new SharedSlot<boolean>('stackChecks');

/**
 * Checks what only the whole stack shows, once per stack that holds one of the library's constructs, when the app is
 * synthesized (so resources added after the constructs count too): two resources of one type with the same physical
 * name, reserved concurrency summed over the stack's functions, tag values (the ones aws-cdk-lib derives from construct
 * paths included) over AWS's length, alarms on a namespace CloudWatch alarms refuse, and alarms whose action is a topic
 * CloudWatch cannot use. Refusals fail synthesis like construct-time problems; the rest are acknowledgeable warnings.
 */
export function guardStack(scope: IConstruct): void {
  const stack = stackOf(scope);
  if (!stack || checkedStacks.get(stack)) return;
  checkedStacks.set(stack, true);
  stack.node.addValidation({ validate: () => stackProblems(stack) });
}

function stackOf(scope: IConstruct): Stack | undefined {
  for (let s: IConstruct | undefined = scope; s; s = s.node.scope) {
    if (Stack.isStack(s)) return s;
  }
  return undefined;
}

function stackProblems(stack: Stack): string[] {
  const problems = new Problems(stack);
  const resources = stack.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c) && Stack.of(c) === stack);
  checkPhysicalNames(problems, stack, resources);
  checkTagValues(problems, resources);
  checkAlarms(problems, stack, resources);
  warnReservedConcurrency(stack, resources);
  const error = problems.toError();
  return error ? [error.message] : [];
}

/** A resource type whose instances name themselves, and how to read the name (and the scope it must be unique in). */
interface NamedType {
  readonly what: string;
  readonly name: (c: CfnResource) => unknown;
  /** Names unique within something smaller than the account and Region (a rule within its bus). */
  readonly within?: (c: CfnResource) => unknown;
  /** IAM names are unique regardless of case. */
  readonly ignoreCase?: boolean;
}

function namedType(c: CfnResource): NamedType | undefined {
  if (c instanceof sqs.CfnQueue) return { what: 'queue', name: () => c.queueName };
  if (c instanceof sns.CfnTopic) return { what: 'topic', name: () => c.topicName };
  if (c instanceof dynamodb.CfnTable) return { what: 'table', name: () => c.tableName };
  if (c instanceof dynamodb.CfnGlobalTable) return { what: 'table', name: () => c.tableName };
  if (c instanceof lambda.CfnFunction) return { what: 'function', name: () => c.functionName };
  if (c instanceof pipes.CfnPipe) return { what: 'pipe', name: () => c.name };
  if (c instanceof logs.CfnLogGroup) return { what: 'log group', name: () => c.logGroupName };
  if (c instanceof events.CfnEventBus) return { what: 'event bus', name: () => c.name };
  if (c instanceof events.CfnRule) return { what: 'rule', name: () => c.name, within: () => c.eventBusName ?? 'default' };
  if (c instanceof iam.CfnRole) return { what: 'role', name: () => c.roleName, ignoreCase: true };
  if (c instanceof cloudwatch.CfnAlarm) return { what: 'alarm', name: () => c.alarmName };
  return undefined;
}

/** Two resources of one type and one stack with the same literal name: CloudFormation creates the first only. */
function checkPhysicalNames(problems: Problems, stack: Stack, resources: CfnResource[]): void {
  const seen = new Map<string, string[]>();
  for (const c of resources) {
    const type = namedType(c);
    if (!type) continue;
    const name = stack.resolve(type.name(c));
    if (typeof name !== 'string' || Token.isUnresolved(name)) continue;
    const within = type.within ? JSON.stringify(stack.resolve(type.within(c))) : '';
    const key = `${type.what}\u0000${within}\u0000${type.ignoreCase ? name.toLowerCase() : name}`;
    seen.set(key, [...(seen.get(key) ?? []), c.node.path]);
  }
  for (const [key, paths] of seen) {
    if (paths.length < 2) continue;
    const [what, , name] = key.split('\u0000');
    problems.add(
      'Stack.DuplicatePhysicalName',
      `${paths.length} resources of type ${what} are named "${name}" (${paths.join(', ')}); CloudFormation creates one and ` +
        'fails on the next, since names are unique per account and Region',
      'give each its own name, or drop the name to let CloudFormation generate one',
    );
  }
}

/** Tag values over 256 characters, such as the `Name` tag ec2.Vpc derives from a long construct path. */
function checkTagValues(problems: Problems, resources: CfnResource[]): void {
  for (const c of resources) {
    if (!TagManager.isTaggable(c) && !TagManager.isTaggableV2(c)) continue;
    const values = TagManager.of(c)?.tagValues() ?? {};
    for (const [key, value] of Object.entries(values)) {
      if (typeof value !== 'string' || Token.isUnresolved(value)) continue;
      const length = [...value].length;
      problems.check(
        length <= TAGS.valueLength.max,
        'Stack.TagValueLength',
        `tag ${key} of ${c.node.path} is ${length} characters long (AWS accepts ${TAGS.valueLength.max})` +
          (key === 'Name' ? '; aws-cdk-lib derives Name tags of VPC resources from the construct path' : ''),
        key === 'Name'
          ? 'shorten the construct ids on the path (or override the tag: Tags.of(vpc).add("Name", "short-name"))'
          : `shorten the tag value to ${TAGS.valueLength.max} characters`,
      );
    }
  }
}

/** Alarm namespaces the alarm API refuses, and alarm actions CloudWatch cannot perform. */
function checkAlarms(problems: Problems, stack: Stack, resources: CfnResource[]): void {
  const topicKeys = new Map<string, string>();
  for (const c of resources) {
    if (!(c instanceof sns.CfnTopic)) continue;
    const alias = awsManagedAliasIn(stack, c.kmsMasterKeyId);
    if (alias) topicKeys.set(JSON.stringify(stack.resolve(c.ref)), alias);
  }
  for (const c of resources) {
    if (!(c instanceof cloudwatch.CfnAlarm)) continue;
    for (const namespace of alarmNamespaces(stack, c)) {
      problems.check(
        CLOUDWATCH.alarmNamespacePattern.test(namespace),
        'Stack.AlarmNamespace',
        `alarm ${c.node.path} watches namespace "${namespace}", which CloudWatch alarms refuse (the pattern is [^:].*)`,
        'use a namespace that does not start with a colon, e.g. "MyCompany/Orders"',
      );
    }
    // On the L1 alarm: acknowledging on the Alarm construct (its parent) then applies (see warnAtSynth).
    const actions = [c.alarmActions, c.okActions, c.insufficientDataActions].flatMap((a) => (stack.resolve(a) as unknown[] | undefined) ?? []);
    for (const action of actions) {
      const alias = topicKeys.get(JSON.stringify(action));
      if (!alias) continue;
      warn(c, 'AlarmTopicAwsManagedKey', `the alarm action is a topic encrypted with the AWS managed key ${alias}, ` +
        'which CloudWatch alarms cannot use: the alarm fires but nobody is notified; encrypt the topic with a customer ' +
        'managed key whose policy lets cloudwatch.amazonaws.com use it (kms:Decrypt, kms:GenerateDataKey*)');
    }
  }
}

function alarmNamespaces(stack: Stack, alarm: cloudwatch.CfnAlarm): string[] {
  const queries = (stack.resolve(alarm.metrics) as Array<{ metricStat?: { metric?: { namespace?: unknown } } }> | undefined) ?? [];
  return [stack.resolve(alarm.namespace), ...queries.map((q) => q.metricStat?.metric?.namespace)]
    .filter((n): n is string => typeof n === 'string' && !Token.isUnresolved(n));
}

/**
 * Reserved concurrency of the stack's functions summed. At the default quota of 1,000 concurrent executions an account
 * keeps 100 unreserved, so Lambda refuses reservations beyond 900 in total (with other stacks' reservations counted
 * too). The quota can be raised: a warning.
 */
function warnReservedConcurrency(stack: Stack, resources: CfnResource[]): void {
  const reserving = resources
    .filter((c): c is lambda.CfnFunction => c instanceof lambda.CfnFunction)
    .map((c) => ({ fn: c, reserved: stack.resolve(c.reservedConcurrentExecutions) as unknown }))
    .filter((r): r is { fn: lambda.CfnFunction; reserved: number } => typeof r.reserved === 'number')
    .sort((a, b) => b.reserved - a.reserved);
  const total = reserving.reduce((sum, r) => sum + r.reserved, 0);
  const reservable = LAMBDA.defaultAccountConcurrency - LAMBDA.minimumUnreservedConcurrency;
  if (total <= reservable) return;
  // On the largest reservation (its L1 resource, so that acknowledging on the function applies): one warning per stack.
  warn(reserving[0].fn, 'ReservedConcurrencyAboveDefaultQuota', `the functions of stack ${stack.stackName} reserve ${total} ` +
    `concurrent executions in total (${reserving.map((r) => `${r.fn.node.scope?.node.path ?? r.fn.node.path}: ${r.reserved}`).join(', ')}); ` +
    `at the default quota of ${LAMBDA.defaultAccountConcurrency} Lambda keeps ${LAMBDA.minimumUnreservedConcurrency} unreserved ` +
    `and refuses reservations beyond ${reservable}: raise the account's concurrency quota before deploying, or reserve less ` +
    '(maxConcurrency on an SQS consumer limits it without reserving)');
}
