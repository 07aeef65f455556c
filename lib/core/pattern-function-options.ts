import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Options every pattern function accepts, whichever way its code is given. Everything from
 * `lambda.FunctionOptions` is accepted and wins over the library defaults. The inherited properties document
 * aws-cdk-lib's defaults; a pattern function's are:
 *
 * | property | pattern function default |
 * | --- | --- |
 * | `runtime` | Node.js 24 |
 * | `architecture` | `Architecture.ARM_64` |
 * | `memorySize` | 256 MB (measured: a handler process with the AWS SDK holds about 60 MB, the circuit-breaker extension as much again) |
 * | `timeout` | 30 seconds |
 * | `loggingFormat` | `LoggingFormat.JSON`, application level INFO, system level WARN |
 * | `logGroup` | a log group of its own, inside the function's scope, kept `logRetention` (one month) |
 * | `logRetention` | `logs.RetentionDays.ONE_MONTH`: the retention of that log group (see below) |
 * | `tracing` | `Tracing.ACTIVE` (X-Ray actions in a policy of their own) |
 * | `role` | a role of its own that may only write to that log group (no managed policy); with `vpc`, the network-interface actions Lambda needs, in a policy of their own |
 * | `retryAttempts` | 2 with an on-failure queue (and an alarm on it) when `invokedAsynchronously`, otherwise Lambda's default |
 *
 * Rejected at synth, naming the fix: a timeout outside 1..900 s, memory outside 128..10,240 MB, negative reserved
 * concurrency, provisioned concurrency above reserved concurrency, a handler over 128 characters; and, once the app
 * is complete, environment variables over Lambda's 4 KB (including those the constructs add) or more than 5 layers.
 *
 * `logRetention` has one meaning here: how long the function's own log group keeps events. aws-cdk-lib documents the
 * inherited property as deprecated because on a plain `lambda.Function` it creates a custom resource that sets
 * retention on an implicit log group; a pattern function never creates that custom resource, it sets the retention
 * of the log group it creates. So `logRetention` is rejected beside your own `logGroup` (set retention on that log
 * group instead), and so are `logRetentionRole` and `logRetentionRetryOptions`, which only configure the custom
 * resource.
 */
export interface PatternFunctionOptions extends lambda.FunctionOptions {
  /**
   * Set when the function is invoked asynchronously (EventBridge rule, schedule, S3, SNS): failed invocations then
   * go to an encrypted SQS on-failure destination after `retryAttempts`, instead of being dropped.
   * @default false
   */
  readonly invokedAsynchronously?: boolean;
  /**
   * Action of the alarm on the on-failure queue (with `invokedAsynchronously`), which fires as soon as one failed
   * invocation is recorded there.
   * @default - the alarm is created without an action
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}
