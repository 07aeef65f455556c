import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { PatternFunctionOptions } from './pattern-function-options';
import { finishFunction, prepareFunction } from './private/function-defaults';
import { SecureQueue } from './secure-queue';

/**
 * Properties of a {@link PatternNodejsFunction}: aws-cdk-lib's `NodejsFunctionProps` (entry file, handler name,
 * bundling options) plus the options every pattern function accepts ({@link PatternFunctionOptions} lists the
 * library defaults, which win over `NodejsFunction`'s own).
 */
export interface PatternNodejsFunctionProps extends nodejs.NodejsFunctionProps, PatternFunctionOptions {}

/**
 * A TypeScript or JavaScript entry file bundled with esbuild at synth (aws-cdk-lib's `NodejsFunction`), with every
 * default of a {@link PatternFunction}: Node.js 24 on arm64, 256 MB, JSON logs into a log group with retention,
 * X-Ray, a role scoped to its own log group, VPC and on-failure handling, and the same limit checks. The bundle
 * targets the function's runtime. Bundling needs `esbuild` in your project (else aws-cdk-lib falls back to Docker).
 */
export class PatternNodejsFunction extends nodejs.NodejsFunction {
  /** The log group the function writes to. */
  public readonly functionLogGroup: logs.ILogGroupRef;
  /** For asynchronously invoked functions, the queue that receives failed invocation records. */
  public readonly onFailureQueue?: SecureQueue;
  /** For asynchronously invoked functions, the alarm on the on-failure queue (one message fires it). */
  public readonly onFailureAlarm?: cloudwatch.IAlarm;

  constructor(scope: Construct, id: string, props: PatternNodejsFunctionProps = {}) {
    const prepared = prepareFunction(scope, id, props, props.runtime);
    super(scope, id, prepared.functionProps);
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

