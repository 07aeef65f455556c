import { Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SharedSlot } from './app-registry';
import { describeRange, inRange, LAMBDA, LAMBDA_RUNTIME_LIFECYCLE, LAMBDA_RUNTIME_LIFECYCLE_AS_OF } from './limits';
import { guardStack } from './stack-checks';
import { Problems, warn } from './validation';

/** Environment variable names Lambda accepts: a letter, then letters, digits or underscores (two characters at least). */
const ENVIRONMENT_KEY = /^[a-zA-Z][a-zA-Z0-9_]+$/;

/** The function options these checks read (a subset of `lambda.FunctionOptions`). */
interface FunctionLimitOptions {
  readonly timeout?: { toSeconds(): number; isUnresolved(): boolean };
  readonly memorySize?: number;
  readonly reservedConcurrentExecutions?: number;
  readonly currentVersionOptions?: { readonly provisionedConcurrentExecutions?: number };
  readonly handler?: string;
}

/** Checks a function's options against Lambda's limits before the function exists. */
export function checkFunctionOptions(problems: Problems, id: string, props: FunctionLimitOptions): void {
  checkTimeout(problems, id, props.timeout && !props.timeout.isUnresolved() ? props.timeout.toSeconds() : undefined);
  checkMemory(problems, id, props.memorySize);
  checkConcurrency(problems, id, props.reservedConcurrentExecutions, props.currentVersionOptions?.provisionedConcurrentExecutions);
  if (props.handler !== undefined && !Token.isUnresolved(props.handler)) {
    problems.check(
      props.handler.length <= LAMBDA.handlerLength.max && /^\S+$/.test(props.handler),
      'Function.Handler',
      `${id}: the handler ${JSON.stringify(props.handler)} is not valid (${props.handler.length} characters)`,
      `use up to ${LAMBDA.handlerLength.max} characters without whitespace, e.g. index.handler`,
    );
  }
}

/** The warning id of a runtime AWS had deprecated when the lifecycle table was read. */
export const RUNTIME_LIFECYCLE_WARNING = 'Function.RuntimeLifecycle';

/**
 * The lifecycle finding for a runtime, or undefined: a runtime AWS had deprecated when the table was read (its dates
 * compared with the table's own date, never with the day of the synth, so a synth gives the same answer on any day).
 * Always a warning, never an error: Lambda still updates functions on a runtime after it stops creating them, and a
 * user who knows their function's situation acknowledges the warning.
 */
export function runtimeLifecycleFinding(runtime: string): string | undefined {
  const lifecycle = LAMBDA_RUNTIME_LIFECYCLE[runtime];
  if (!lifecycle || !(lifecycle.deprecated <= LAMBDA_RUNTIME_LIFECYCLE_AS_OF)) return undefined;
  const blocked = /^\d{4}-\d{2}-\d{2}$/.test(lifecycle.createBlocked)
    ? `; Lambda stops creating functions on it from ${lifecycle.createBlocked} and stops updating them later`
    : '';
  return `${runtime} is deprecated since ${lifecycle.deprecated}${blocked} (Lambda runtimes page as of ` +
    `${LAMBDA_RUNTIME_LIFECYCLE_AS_OF}): Lambda no longer patches it. Move the function to the newest runtime of its ` +
    `family, or acknowledge this warning on the function (Annotations.of(fn).acknowledgeWarning('cdk-serverless-patterns:${RUNTIME_LIFECYCLE_WARNING}'))`;
}

function checkTimeout(problems: Problems, id: string, seconds: number | undefined): void {
  if (seconds === undefined) return;
  problems.check(
    inRange(seconds, LAMBDA.timeoutSeconds),
    'Function.Timeout',
    `${id}: timeout ${seconds} s is outside Lambda's ${describeRange(LAMBDA.timeoutSeconds, 's')}`,
    'use a timeout from 1 second to 15 minutes (work that takes longer belongs in Step Functions or ECS)',
  );
}

function checkMemory(problems: Problems, id: string, memorySize: number | undefined): void {
  if (memorySize === undefined || Token.isUnresolved(memorySize)) return;
  problems.check(
    inRange(memorySize, LAMBDA.memoryMb),
    'Function.Memory',
    `${id}: memorySize ${memorySize} MB is outside Lambda's ${describeRange(LAMBDA.memoryMb, 'MB')}`,
    'use a whole number of MB from 128 to 10,240',
  );
}

function checkConcurrency(problems: Problems, id: string, reserved: number | undefined, provisioned: number | undefined): void {
  const known = (n: number | undefined): n is number => n !== undefined && !Token.isUnresolved(n);
  if (known(reserved)) {
    problems.check(
      inRange(reserved, LAMBDA.reservedConcurrency),
      'Function.ReservedConcurrency',
      `${id}: reservedConcurrentExecutions ${reserved} is not a whole number ≥ 0`,
      'use 0 (the function never runs) or a positive integer, or omit it',
    );
  }
  if (known(provisioned)) {
    problems.check(
      inRange(provisioned, LAMBDA.provisionedConcurrency),
      'Function.ProvisionedConcurrency',
      `${id}: provisioned concurrency ${provisioned} is not a positive integer`,
      'use a positive integer, or omit provisionedConcurrentExecutions',
    );
  }
  if (known(reserved) && known(provisioned)) {
    problems.check(
      provisioned <= reserved,
      'Function.ProvisionedAboveReserved',
      `${id}: provisioned concurrency ${provisioned} exceeds reserved concurrency ${reserved}`,
      `lower the provisioned concurrency to at most ${reserved}, or raise reservedConcurrentExecutions`,
    );
  }
}

/** Functions whose limits are checked at synth already (so a function shared by constructs is checked once). */
const guarded = new SharedSlot<boolean>('functionLimitsGuarded');

/**
 * Checks, when the app is synthesized, what only the finished app knows: environment variables (ours included) within
 * Lambda's 4 KB, at most 5 layers, and the limits of a function defined elsewhere in the app (its L1 properties,
 * provisioned concurrency of its versions and aliases). Failures fail synthesis with the same ids as construct-time
 * problems.
 */
export function guardFunctionLimits(fn: lambda.IFunction): void {
  if (!(fn instanceof lambda.Function) || guarded.get(fn)) return;
  guarded.set(fn, true);
  guardStack(fn);
  fn.node.addValidation({ validate: () => synthProblems(fn) });
}

function synthProblems(fn: lambda.Function): string[] {
  const problems = new Problems(fn);
  const cfn = fn.node.defaultChild as lambda.CfnFunction;
  const stack = Stack.of(fn);
  const id = fn.node.id;
  checkTimeout(problems, id, typeof cfn.timeout === 'number' ? cfn.timeout : undefined);
  checkMemory(problems, id, typeof cfn.memorySize === 'number' ? cfn.memorySize : undefined);
  checkConcurrency(
    problems, id,
    typeof cfn.reservedConcurrentExecutions === 'number' ? cfn.reservedConcurrentExecutions : undefined,
    provisionedConcurrencyOf(fn),
  );
  const lifecycle = typeof cfn.runtime === 'string' ? runtimeLifecycleFinding(cfn.runtime) : undefined;
  // On the function's CloudFormation resource, not the function: this warning is added at synth, after the user's
  // acknowledgement, and aws-cdk-lib 2.257 looks an acknowledgement up on the paths above the warned construct only
  // (not on its own path; newer releases look at both). On the resource, an acknowledgement on the function or on any
  // scope above it suppresses the warning on every supported aws-cdk-lib.
  if (lifecycle) warn(cfn, RUNTIME_LIFECYCLE_WARNING, lifecycle);
  const environment = stack.resolve(cfn.environment) as { variables?: Record<string, unknown> } | undefined;
  const badKeys = Object.keys(environment?.variables ?? {}).filter((key) => !ENVIRONMENT_KEY.test(key));
  problems.check(
    badKeys.length === 0,
    'Function.EnvironmentKey',
    `${id}: environment variable names ${badKeys.map((k) => JSON.stringify(k)).join(', ')} are not accepted by Lambda`,
    'start each name with a letter and use only letters, digits and underscores (at least two characters)',
  );
  const knownBytes = literalEnvironmentBytes(environment?.variables ?? {});
  problems.check(
    knownBytes <= LAMBDA.environmentBytes.max,
    'Function.EnvironmentSize',
    `${id}: environment variables take ${knownBytes} bytes (keys and values, including those the constructs ` +
      `add), above Lambda's ${LAMBDA.environmentBytes.max}`,
    'move large values to SSM Parameter Store or the function code, or shorten names',
  );
  const layers = stack.resolve(cfn.layers) as unknown[] | undefined;
  problems.check(
    (layers?.length ?? 0) <= LAMBDA.layers.max,
    'Function.Layers',
    `${id}: ${layers?.length} layers, Lambda allows ${LAMBDA.layers.max}`,
    'merge layers or bundle their contents into the function',
  );
  checkLayerRegions(problems, id, stack.region, layers ?? []);
  const error = problems.toError();
  return error ? [error.message] : [];
}

/**
 * Layers of another Region than the function's (LAMBDA.layerRegionSource): Lambda answers with an access error on
 * lambda:GetLayerVersion and the deployment fails. Only literal layer ARNs and a resolved stack Region are compared;
 * a layer defined in the stack is in its Region by construction.
 */
export function checkLayerRegions(problems: Problems, id: string, region: string, layerArns: unknown[]): void {
  if (Token.isUnresolved(region)) return;
  const foreign = layerArns
    .filter((arn): arn is string => typeof arn === 'string' && !Token.isUnresolved(arn))
    .filter((arn) => {
      const layerRegion = LAYER_ARN.exec(arn)?.[1];
      return layerRegion !== undefined && layerRegion !== region;
    });
  problems.check(
    foreign.length === 0,
    'Function.LayerRegion',
    `${id}: layer ${foreign.join(', ')} is not in the stack's Region ${region}, and a function can only use layers of its own Region`,
    `use the layer's ARN in ${region} (layer publishers list one per Region), or publish the layer there`,
  );
}

/** arn:<partition>:lambda:<region>:<account>:layer:<name>:<version>. */
const LAYER_ARN = /^arn:[a-z-]+:lambda:([a-z0-9-]+):\d{12}:layer:/;

/** The largest provisioned concurrency any version or alias of `fn` in its stack asks for. */
function provisionedConcurrencyOf(fn: lambda.Function): number | undefined {
  const stack = Stack.of(fn);
  const functionRef = JSON.stringify(stack.resolve(fn.functionName));
  let largest: number | undefined;
  for (const c of stack.node.findAll()) {
    if (!(c instanceof lambda.CfnVersion) && !(c instanceof lambda.CfnAlias)) continue;
    if (JSON.stringify(stack.resolve(c.functionName)) !== functionRef) continue;
    const config = stack.resolve(c.provisionedConcurrencyConfig) as { provisionedConcurrentExecutions?: unknown } | undefined;
    const n = config?.provisionedConcurrentExecutions;
    if (typeof n === 'number') largest = Math.max(largest ?? n, n);
  }
  return largest;
}

/**
 * Bytes of the keys and literal values. A value that is a CloudFormation expression (a table name, an ARN) is only
 * known at deploy time and is not counted, so the check can under-count but never refuses a valid environment.
 */
function literalEnvironmentBytes(variables: Record<string, unknown>): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(variables)) {
    bytes += Buffer.byteLength(key, 'utf8');
    if (typeof value === 'string') bytes += Buffer.byteLength(value, 'utf8');
  }
  return bytes;
}
