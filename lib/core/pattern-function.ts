import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { Problems } from './private/validation';
import { SecureQueue } from './secure-queue';

/** The newest Node.js runtime this aws-cdk-lib release knows; every handler of the library targets it. */
const DEFAULT_NODE_RUNTIME = lambda.Runtime.NODEJS_24_X;

/**
 * Properties of a {@link PatternFunction}. Everything from `lambda.FunctionOptions` is accepted and wins over
 * the library defaults. The inherited properties document aws-cdk-lib's defaults; a PatternFunction's are:
 *
 * | property | PatternFunction default |
 * | --- | --- |
 * | `runtime` | Node.js 24 |
 * | `architecture` | `Architecture.ARM_64` |
 * | `timeout` | 30 seconds |
 * | `loggingFormat` | `LoggingFormat.JSON`, application level INFO, system level WARN |
 * | `logGroup` | a log group of its own, kept `logGroupRetention` (one month) |
 * | `tracing` | `Tracing.ACTIVE` (X-Ray actions in a policy of their own) |
 * | `role` | a role of its own that may only write to that log group (no managed policy) |
 * | `retryAttempts` | 2 with an on-failure queue when `invokedAsynchronously`, otherwise Lambda's default |
 */
export interface PatternFunctionProps extends lambda.FunctionOptions {
  /** The function code. Library handlers use pre-bundled assets; users pass their own. */
  readonly code: lambda.Code;
  /** The handler entry point, e.g. `index.handler`. */
  readonly handler: string;
  /**
   * The runtime.
   * @default - the newest Node.js runtime known to aws-cdk-lib (Node.js 24)
   */
  readonly runtime?: lambda.Runtime;
  /**
   * How long the function's log group keeps events. The log group is created explicitly so retention is never
   * "forever" by accident and the execution role can be scoped to it.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly logGroupRetention?: logs.RetentionDays;
  /**
   * Set when the function is invoked asynchronously (EventBridge rule, schedule, S3, SNS): failed invocations then
   * go to an encrypted SQS on-failure destination after `retryAttempts`, instead of being dropped.
   * @default false
   */
  readonly invokedAsynchronously?: boolean;
}

/**
 * A Lambda function with the library's defaults: newest Node.js runtime, arm64, JSON logs with levels
 * (application INFO, system WARN) into an explicit log group with retention, X-Ray active tracing, a dedicated
 * execution role allowed to write only to that log group (no `AWSLambdaBasicExecutionRole` managed policy), and for
 * asynchronously invoked functions an on-failure destination queue.
 */
export class PatternFunction extends lambda.Function {
  /** The log group the function writes to. */
  public readonly functionLogGroup: logs.ILogGroupRef;
  /** For asynchronously invoked functions, the queue that receives failed invocation records. */
  public readonly onFailureQueue?: SecureQueue;

  constructor(scope: Construct, id: string, props: PatternFunctionProps) {
    const logGroup =
      props.logGroup ??
      new logs.LogGroup(scope, `${id}LogGroup`, { retention: props.logGroupRetention ?? logs.RetentionDays.ONE_MONTH });
    const role =
      props.role ??
      new iam.Role(scope, `${id}ServiceRole`, {
        assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
        description: `Execution role of ${Stack.of(scope).stackName}/${id}`,
      });
    // The construct does not exist until super() returns, so problems are reported against the scope.
    const problems = new Problems(scope);
    problems.check(
      props.logRetention === undefined,
      'PatternFunction.LogRetention',
      `${id}: logRetention creates a custom resource to set retention on an implicit log group`,
      'use logGroupRetention (or pass your own logGroup)',
    );
    let onFailureQueue: SecureQueue | undefined;
    if (props.invokedAsynchronously) {
      problems.check(
        props.onFailure === undefined,
        'PatternFunction.OnFailureConflict',
        `${id}: invokedAsynchronously creates an on-failure queue, but onFailure was also given`,
        'drop invokedAsynchronously to keep your own onFailure destination, or drop onFailure',
      );
      onFailureQueue = new SecureQueue(scope, `${id}OnFailure`, { isDeadLetterQueueOnly: true });
    }
    problems.throwIfAny();
    const tracing = props.tracing ?? lambda.Tracing.ACTIVE;
    super(scope, id, {
      runtime: DEFAULT_NODE_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      timeout: Duration.seconds(30),
      ...(onFailureQueue ? { onFailure: new destinations.SqsDestination(onFailureQueue.queue), retryAttempts: 2 } : {}),
      ...props,
      // Tracing is configured below, so its wildcard X-Ray grant lands in a policy of its own.
      tracing: lambda.Tracing.DISABLED,
      logGroup,
      role,
    });
    if (tracing !== lambda.Tracing.DISABLED) this.enableTracing(tracing, role);
    this.functionLogGroup = logGroup;
    this.onFailureQueue = onFailureQueue;
    if (!props.role) {
      // Only the two write actions, only on this function's own log group.
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({
          actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          resources: [logGroup.logGroupRef.logGroupArn],
        }),
      );
    }
  }

  /**
   * X-Ray's PutTraceSegments/PutTelemetryRecords support no resource-level permissions, so the grant must be on
   * `*`. It lives in its own policy with a precise cdk-nag acknowledgement, so wildcards added to the role's
   * default policy later are still reported.
   */
  private enableTracing(mode: lambda.Tracing, role: iam.IRole): void {
    (this.node.defaultChild as lambda.CfnFunction).tracingConfig = { mode };
    const policy = new iam.Policy(this, 'TracingPolicy', {
      statements: [
        new iam.PolicyStatement({ actions: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], resources: ['*'] }),
      ],
      roles: [role],
    });
    this.node.addDependency(policy);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions; this policy ' +
        'holds only those two actions.',
    });
  }
}
