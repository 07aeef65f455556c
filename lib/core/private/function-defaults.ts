import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AlarmFactory } from './alarm-factory';
import { checkFunctionOptions, guardFunctionLimits } from './function-limits';
import { acknowledgeFunctionDeadLetterQueue, acknowledgeVerifiedRuntime } from './nag-acknowledgements';
import { Problems } from './validation';
import type { PatternFunctionOptions } from '../pattern-function-options';
import { SecureQueue } from '../secure-queue';

/**
 * The runtime policy, one source for every function, layer and check of the library:
 * - functions default to `VERIFIED_NODE_RUNTIME`, the newest Node.js runtime the library's handlers, runtime helpers
 *   and extension are verified on, whatever aws-cdk-lib release the app uses. A newer aws-cdk-lib knowing a newer
 *   runtime does not change a deployed function's runtime on the user's next deploy, and the templates are the same
 *   on every supported aws-cdk-lib; the constant is raised deliberately, with the tests, when a runtime is verified;
 * - layers (the circuit-breaker extension, onnxruntime) and runtime checks accept every Node.js runtime from
 *   `OLDEST_NODE_MAJOR` (the esbuild target of the bundles, scripts/bundle.mjs) upwards, with no upper bound: a user
 *   who moves a function to a newer runtime than the verified one (nodejs26.x on aws-cdk-lib 2.278) is never refused
 *   by a list written before that runtime existed.
 */
export const VERIFIED_NODE_RUNTIME = 'nodejs24.x';
/** The oldest Node.js major the bundles target (esbuild `target: node20`), so the oldest runtime layers accept. */
export const OLDEST_NODE_MAJOR = 20;

/** The major version of a versioned Node.js runtime (`nodejs24.x` → 24), else undefined. */
export function nodeMajor(runtime: lambda.Runtime): number | undefined {
  const match = /^nodejs(\d+)\.x$/.exec(runtime.name);
  return runtime.family === lambda.RuntimeFamily.NODEJS && !runtime.isVariable && match ? Number(match[1]) : undefined;
}

/** The runtime functions get when they set none: `VERIFIED_NODE_RUNTIME`. */
export function defaultNodeRuntime(): lambda.Runtime {
  return lambda.Runtime.ALL.find((r) => r.name === VERIFIED_NODE_RUNTIME && !r.isVariable)
    ?? new lambda.Runtime(VERIFIED_NODE_RUNTIME, lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true });
}

/**
 * The newest Node.js runtime the installed aws-cdk-lib knows, when `runtime` is the verified one and a newer one
 * exists (what cdk-nag's latest-runtime rules compare with), else undefined.
 */
export function newerNodeRuntime(runtime: lambda.Runtime): lambda.Runtime | undefined {
  if (runtime.name !== VERIFIED_NODE_RUNTIME) return undefined;
  const newest = supportedNodeRuntimes().pop();
  return newest && nodeMajor(newest)! > nodeMajor(runtime)! ? newest : undefined;
}

/** Whether the library's bundles and layers run on `runtime`: Node.js `OLDEST_NODE_MAJOR` or newer. */
export function isSupportedNodeRuntime(runtime: lambda.Runtime): boolean {
  const major = nodeMajor(runtime);
  return major !== undefined && major >= OLDEST_NODE_MAJOR;
}

/**
 * Every supported Node.js runtime the installed aws-cdk-lib knows (its own and any the app defined before the
 * layer), oldest first: the compatible runtimes of the library's layers. `lambda.Runtime.ALL` lists every runtime
 * object created so far, so on aws-cdk-lib 2.278 this includes nodejs26.x.
 */
export function supportedNodeRuntimes(): lambda.Runtime[] {
  const byName = new Map<string, lambda.Runtime>();
  for (const r of [...lambda.Runtime.ALL, defaultNodeRuntime()]) {
    if (isSupportedNodeRuntime(r) && !byName.has(r.name)) byName.set(r.name, r);
  }
  return [...byName.values()].sort((a, b) => nodeMajor(a)! - nodeMajor(b)!);
}

/**
 * Memory of a function that does not set it, MB. Measured: a Node.js process that has loaded one of the library's
 * handler bundles and the AWS SDK client it uses holds 56-62 MB resident (`process.memoryUsage().rss`, Node 20, see
 * the memory section of bench/RESULTS.md); the circuit-breaker extension is a second process of about the same size.
 * 256 MB leaves about twice the idle footprint of function plus extension for a batch's working set; Lambda's 128 MB
 * default would leave almost nothing for a protected function.
 */
export const DEFAULT_MEMORY_MB = 256;

/** What the library decided before the function exists (the function's own constructor needs it). */
export interface PreparedFunction<P extends PatternFunctionOptions = PatternFunctionOptions> {
  /**
   * Props to pass to the aws-cdk-lib constructor: the library defaults, then the user's props (all of them, less those
   * the library applies itself), then what is fixed.
   */
  readonly functionProps: P & { readonly runtime: lambda.Runtime };
  readonly tracing: lambda.Tracing;
}

/** What {@link finishFunction} created inside the function. */
export interface FinishedFunction {
  readonly logGroup: logs.ILogGroupRef;
  readonly onFailureQueue?: SecureQueue;
  readonly onFailureAlarm?: cloudwatch.Alarm;
}

/**
 * Checks the options and merges the library defaults under the user's props. Called before the function's own
 * constructor; what the function needs beside its code (log group, role, on-failure queue) is created by
 * {@link finishFunction} inside the function's scope, once the function exists.
 */
export function prepareFunction<P extends PatternFunctionOptions>(
  scope: Construct, id: string, props: P, runtime?: lambda.Runtime,
): PreparedFunction<P> {
  // The function does not exist until its constructor returns, so problems are reported against the scope.
  const problems = new Problems(scope);
  problems.check(
    props.logRetention === undefined || props.logGroup === undefined,
    'PatternFunction.LogRetentionWithLogGroup',
    `${id}: logRetention sets the retention of the log group the function creates, but logGroup was also given`,
    'set the retention on your own log group and drop logRetention, or drop logGroup',
  );
  problems.check(
    props.logRetentionRole === undefined && props.logRetentionRetryOptions === undefined,
    'PatternFunction.LogRetentionCustomResource',
    `${id}: logRetentionRole / logRetentionRetryOptions configure aws-cdk-lib's log-retention custom resource, which a pattern function never creates`,
    'drop them: logRetention sets the retention of the function\'s own log group directly',
  );
  problems.check(
    !(props.invokedAsynchronously && props.onFailure !== undefined),
    'PatternFunction.OnFailureConflict',
    `${id}: invokedAsynchronously creates an on-failure queue, but onFailure was also given`,
    'drop invokedAsynchronously to keep your own onFailure destination, or drop onFailure',
  );
  checkFunctionOptions(problems, id, props);
  problems.throwIfAny();

  const functionProps = {
    runtime: runtime ?? defaultNodeRuntime(),
    architecture: lambda.Architecture.ARM_64,
    memorySize: DEFAULT_MEMORY_MB,
    loggingFormat: lambda.LoggingFormat.JSON,
    applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
    systemLogLevelV2: lambda.SystemLogLevel.WARN,
    timeout: Duration.seconds(30),
    // An option passed as undefined (e.g. forwarded from optional props) keeps the library default. logRetention
    // means the retention of the log group finishFunction creates: passed on, aws-cdk-lib would create its custom
    // resource. The asynchronous-invocation options of an asynchronous function are applied by finishFunction
    // together with its on-failure queue (aws-cdk-lib configures asynchronous invocation once per function).
    ...definedOnly(props, props.invokedAsynchronously ? ['logRetention', ...ASYNC_INVOKE_OPTIONS] : ['logRetention']),
    // aws-cdk-lib makes the whole function (its role inside it too) wait for the file system's mount targets; a file
    // system policy naming the role would then close a cycle. finishFunction makes the function resource alone wait.
    ...(props.filesystem ? { filesystem: new FileSystemWithoutDependency(props.filesystem) } : {}),
    // Tracing is configured by finishFunction, so its wildcard X-Ray grant lands in a policy of its own.
    tracing: lambda.Tracing.DISABLED,
  };
  return { functionProps: functionProps as P & { readonly runtime: lambda.Runtime }, tracing: props.tracing ?? lambda.Tracing.ACTIVE };
}

/**
 * Completes a pattern function once it exists, inside its scope: the log group (`LogGroup`), the execution role
 * (`ServiceRole`, aws-cdk-lib's own id) stripped of aws-cdk-lib's managed policies, tracing, log and
 * network-interface grants, the on-failure queue (`OnFailure`) and its alarm (`OnFailureAlarm`), limit checks at synth.
 */
export function finishFunction(fn: lambda.Function, prepared: PreparedFunction, props: PatternFunctionOptions): FinishedFunction {
  const logGroup = props.logGroup ?? createLogGroup(fn, props.logRetention ?? logs.RetentionDays.ONE_MONTH);
  // aws-cdk-lib created the role as `ServiceRole` inside the function when the user gave none.
  const ownsRole = props.role === undefined;
  const role = fn.role!;
  if (prepared.tracing !== lambda.Tracing.DISABLED) enableTracing(fn, prepared.tracing, role);
  if (ownsRole) {
    removeManagedPolicies(fn, role as iam.Role);
    // IAM allows 1,000 characters; a long construct path must not make the role undeployable.
    (role.node.defaultChild as iam.CfnRole).description = `Execution role of ${Stack.of(fn).stackName}/${fn.node.id}`.slice(0, 1000);
    // Only the two write actions, only on this function's own log group.
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupRef.logGroupArn],
      }),
    );
    // aws-cdk-lib's AWSLambdaVPCAccessExecutionRole was removed above; without these actions Lambda refuses to
    // create a function in a VPC.
    if (props.vpc) allowNetworkInterfaces(fn, role, props);
  }
  // Lambda needs the mount targets available when it creates the function (the dependency prepareFunction removed).
  (fn.node.defaultChild as lambda.CfnFunction).node.addDependency(...(props.filesystem?.config.dependency ?? []));
  guardFunctionLimits(fn);
  acknowledgeFunctionDeadLetterQueue(fn, props.invokedAsynchronously ?? false);
  const newer = newerNodeRuntime(fn.runtime);
  if (newer) acknowledgeVerifiedRuntime(fn, fn.runtime.name, newer.name);
  if (!props.invokedAsynchronously) return { logGroup };
  const onFailureQueue = new SecureQueue(fn, 'OnFailure', { isDeadLetterQueueOnly: true });
  fn.configureAsyncInvoke({
    onFailure: new destinations.SqsDestination(onFailureQueue.queue),
    onSuccess: props.onSuccess,
    maxEventAge: props.maxEventAge,
    retryAttempts: props.retryAttempts ?? 2,
  });
  // Every failed asynchronous invocation lands in this queue: one message there is already an incident.
  const onFailureAlarm = new AlarmFactory({ alarmAction: props.alarmAction }).deadLetterQueueDepth(
    fn, 'OnFailureAlarm', onFailureQueue.queue, `${fn.node.path} on-failure queue`,
  );
  return { logGroup, onFailureQueue, onFailureAlarm };
}

/**
 * The function's own log group, inside the function. With aws-cdk-lib's `@aws-cdk/aws-lambda:useCdkManagedLogGroup`
 * feature flag the function already created one (`LogGroup`, named `/aws/lambda/<function name>`); its name refers to
 * the function, so the role's grant on it would make the function depend on itself. It is replaced: the function
 * writes to this log group whatever the app's feature flags.
 */
function createLogGroup(fn: lambda.Function, retention: logs.RetentionDays): logs.ILogGroup {
  fn.node.tryRemoveChild('LogGroup');
  const logGroup = new logs.LogGroup(fn, 'LogGroup', { retention });
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  cfn.loggingConfig = { ...(cfn.loggingConfig as lambda.CfnFunction.LoggingConfigProperty), logGroup: logGroup.logGroupName };
  return logGroup;
}

/**
 * aws-cdk-lib gives the role it creates for a function AWSLambdaBasicExecutionRole (logs on every log group of the
 * account) and, in a VPC, AWSLambdaVPCAccessExecutionRole; a pattern function grants the same narrowly instead. The
 * role keeps its managed policies in a list it renders at synth, and has no method to remove one: the list is emptied
 * here, right after the function's constructor, so managed policies a user adds later are kept.
 */
function removeManagedPolicies(fn: lambda.Function, role: iam.Role): void {
  const managed = (role as unknown as { managedPolicies?: iam.IManagedPolicy[] }).managedPolicies;
  if (!Array.isArray(managed)) {
    throw new Error(`${fn.node.path}: this aws-cdk-lib release keeps a role's managed policies elsewhere; pass your own role to the function`);
  }
  managed.splice(0, managed.length);
}

/**
 * X-Ray's PutTraceSegments/PutTelemetryRecords support no resource-level permissions, so the grant must be on
 * `*`. It lives in its own policy with a precise cdk-nag acknowledgement, so wildcards added to the role's
 * default policy later are still reported.
 */
function enableTracing(fn: lambda.Function, mode: lambda.Tracing, role: iam.IRole): void {
  (fn.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode };
  const policy = new iam.Policy(fn, 'TracingPolicy', {
    statements: [
      new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
    ],
    roles: [role],
  });
  // The function resource alone waits for the policy: a dependency of the whole function would also be one of the
  // role inside it, which the policy refers to (a cycle).
  (fn.node.defaultChild as lambda.CfnFunction).node.addDependency(policy);
  Validations.of(policy).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; this policy ' +
      'holds only those two actions.',
  });
}

/**
 * The EC2 actions Lambda needs to attach a function to its subnets (those of AWSLambdaVPCAccessExecutionRole, without
 * the managed policy's log actions), scoped as far as EC2 allows ("Actions, resources, and condition keys for Amazon
 * EC2", Service Authorization Reference, https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html):
 * - DescribeNetworkInterfaces and DescribeSubnets support no resource-level permissions: `*`;
 * - CreateNetworkInterface authorizes the new interface, its subnet and its security groups: the function's own
 *   subnets, any network interface (its id exists only once the call made it) and any security group (groups can be
 *   added to the function after this policy is written);
 * - DeleteNetworkInterface, AssignPrivateIpAddresses and UnassignPrivateIpAddresses act on interfaces Lambda created
 *   at deploy time, whose ids no template can know: network interfaces only.
 * In a policy of its own with precise acknowledgements. The policy must exist before the function: Lambda checks the
 * permissions when it creates the function.
 */
function allowNetworkInterfaces(fn: lambda.Function, role: iam.IRole, props: PatternFunctionOptions): void {
  const stack = Stack.of(fn);
  // Interfaces and security groups of any id, by resource type. The ARN's partition, region and account are wildcards
  // too: a cdk-nag finding naming a pseudo parameter (<AWS::Region>) cannot be acknowledged through aws-cdk-lib's
  // Validations, whose ids reserve '::'. The role acts in its own account, and subnets are named exactly.
  const anyInterface = 'arn:*:ec2:*:*:network-interface/*';
  const anySecurityGroup = 'arn:*:ec2:*:*:security-group/*';
  // The same selection aws-cdk-lib makes for the function's VpcConfig.
  const subnets = props.vpc!.selectSubnets(props.vpcSubnets).subnetIds
    .map((id) => stack.formatArn({ service: 'ec2', resource: 'subnet', resourceName: id }));
  const policy = new iam.Policy(fn, 'NetworkInterfacePolicy', {
    statements: [
      new iam.PolicyStatement({ actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], resources: ['*'] }),
      new iam.PolicyStatement({ actions: ['ec2:CreateNetworkInterface'], resources: [anyInterface, anySecurityGroup, ...subnets] }),
      new iam.PolicyStatement({
        actions: ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: [anyInterface],
      }),
    ],
    roles: [role],
  });
  (fn.node.defaultChild as lambda.CfnFunction).node.addDependency(policy);
  Validations.of(policy).acknowledge(
    {
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'ec2:DescribeNetworkInterfaces and ec2:DescribeSubnets, which Lambda needs to run a function in a VPC, support ' +
        'no resource-level permissions; the statement on * holds only those two actions.',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${anyInterface}]`,
      reason: 'Lambda creates the function\'s network interfaces at deploy time, so their ids cannot be named in a template: ' +
        'creating, deleting and assigning/unassigning private IPs are limited to network interfaces (no other EC2 resource).',
    },
    {
      id: `AwsSolutions-IAM5[Resource::${anySecurityGroup}]`,
      reason: 'ec2:CreateNetworkInterface also authorizes the new interface\'s security groups, which can be added to the ' +
        'function after this policy is written; only that action, and only on security groups.',
    },
  );
}

/** A function's file system without its dependency on the mount targets (see prepareFunction). */
class FileSystemWithoutDependency extends lambda.FileSystem {
  constructor(fileSystem: lambda.FileSystem) {
    super({ ...fileSystem.config, dependency: undefined });
  }
}

/** The options aws-cdk-lib applies in its single asynchronous-invocation configuration of a function. */
const ASYNC_INVOKE_OPTIONS = ['onSuccess', 'maxEventAge', 'retryAttempts'];

/** The props that are defined, less the `dropped` keys (absent, not undefined: a spread of them cannot bring them back). */
function definedOnly<T extends object>(props: T, dropped: string[]): Partial<T> {
  return Object.fromEntries(Object.entries(props).filter(([key, value]) => value !== undefined && !dropped.includes(key))) as Partial<T>;
}
