import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PatternFunctionOptions } from './pattern-function-options';
import { finishFunction, prepareFunction } from './private/function-defaults';
import { SecureQueue } from './secure-queue';

/**
 * Properties of a {@link PatternFunction}: code you bundled yourself (or an asset directory), plus the options
 * every pattern function accepts ({@link PatternFunctionOptions} lists the library defaults).
 */
export interface PatternFunctionProps extends PatternFunctionOptions {
  /** The function code. Library handlers use pre-bundled assets; users pass their own. */
  readonly code: lambda.Code;
  /** The handler entry point, e.g. `index.handler`. */
  readonly handler: string;
  /**
   * The runtime.
   * @default - the newest Node.js runtime known to aws-cdk-lib (Node.js 24)
   */
  readonly runtime?: lambda.Runtime;
}

/**
 * A Lambda function with the library's defaults: newest Node.js runtime, arm64, 256 MB, JSON logs with levels
 * (application INFO, system WARN) into an explicit log group with retention, X-Ray active tracing, a dedicated
 * execution role allowed to write only to that log group (no `AWSLambdaBasicExecutionRole` managed policy), the
 * network-interface actions when it runs in a VPC, and for asynchronously invoked functions an on-failure
 * destination queue. For a TypeScript entry file bundled at synth, use {@link PatternNodejsFunction}.
 */
export class PatternFunction extends lambda.Function {
  /** The log group the function writes to. */
  public readonly functionLogGroup: logs.ILogGroupRef;
  /** For asynchronously invoked functions, the queue that receives failed invocation records. */
  public readonly onFailureQueue?: SecureQueue;
  /** For asynchronously invoked functions, the alarm on the on-failure queue (one message fires it). */
  public readonly onFailureAlarm?: cloudwatch.IAlarm;

  constructor(scope: Construct, id: string, props: PatternFunctionProps) {
    const prepared = prepareFunction(scope, id, props, props.runtime);
    super(scope, id, { ...prepared.functionProps, code: props.code, handler: props.handler });
    ({ logGroup: this.functionLogGroup, onFailureQueue: this.onFailureQueue, onFailureAlarm: this.onFailureAlarm } =
      finishFunction(this, prepared, props));
  }

  /**
   * The log group the function writes to: the one it created (`functionLogGroup`), not aws-cdk-lib's log-retention
   * custom resource on the implicit `/aws/lambda/<name>` group, which a plain `lambda.Function` creates on first read.
   */
  public get logGroup(): logs.ILogGroup {
    return this.functionLogGroup instanceof logs.LogGroup ? this.functionLogGroup : super.logGroup;
  }
}
