/**
 * The runtime policy (lib/core/private/function-defaults.ts): functions default to the runtime the library has
 * verified; layers and checks accept every Node.js runtime from the bundles' target upwards, so a function on a newer
 * runtime (nodejs26.x, known to aws-cdk-lib 2.278) is never refused by a list. Lifecycle findings are warnings that
 * never depend on the day a synth runs. CI runs this file on the 2.257 floor and again on the newest aws-cdk-lib.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Duration, Stack } from 'aws-cdk-lib';
import * as assertions from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { CircuitBreaker, PatternFunction } from '../../../lib';
import {
  defaultNodeRuntime, OLDEST_NODE_MAJOR, supportedNodeRuntimes, VERIFIED_NODE_RUNTIME,
} from '../../../lib/core/private/function-defaults';
import { RUNTIME_LIFECYCLE_WARNING, runtimeLifecycleFinding } from '../../../lib/core/private/function-limits';
import { LAMBDA_RUNTIME_LIFECYCLE, LAMBDA_RUNTIME_LIFECYCLE_AS_OF } from '../../../lib/core/private/limits';
import { assembleOnnxRuntimeLayer, onnxRuntimeLayer } from '../../../lib/efs-inference/private/onnx-runtime-layer';
import { INLINE_CODE, newStack, template } from '../../support/cdk';

const fnProps = { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(30) };
const WARNING_ID = `cdk-serverless-patterns:${RUNTIME_LIFECYCLE_WARNING}`;

/** A Node.js runtime newer than any the library lists, as a newer aws-cdk-lib (or the app) defines it. */
function newerRuntime(): lambda.Runtime {
  const major = Math.max(...supportedNodeRuntimes().map((r) => Number(/\d+/.exec(r.name)![0]))) + 2;
  return new lambda.Runtime(`nodejs${major}.x`, lambda.RuntimeFamily.NODEJS, { supportsInlineCode: true });
}

describe('runtime policy', () => {
  test('functions default to the verified runtime, whatever aws-cdk-lib knows', () => {
    expect(defaultNodeRuntime().name).toBe(VERIFIED_NODE_RUNTIME);
    const stack = newStack();
    new PatternFunction(stack, 'Fn', fnProps);
    template(stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: VERIFIED_NODE_RUNTIME });
  });

  test('layers accept every Node.js runtime from the bundles\' target upwards that aws-cdk-lib knows', () => {
    const known = lambda.Runtime.ALL
      .filter((r) => r.family === lambda.RuntimeFamily.NODEJS && !r.isVariable && /^nodejs\d+\.x$/.test(r.name))
      .filter((r) => Number(/\d+/.exec(r.name)![0]) >= OLDEST_NODE_MAJOR)
      .map((r) => r.name);
    expect(supportedNodeRuntimes().map((r) => r.name)).toEqual(expect.arrayContaining([...new Set(known), VERIFIED_NODE_RUNTIME]));
    expect(supportedNodeRuntimes().map((r) => r.name)).not.toContain('nodejs18.x');
  });

  test('the oldest runtime layers accept is the esbuild target of the bundles', () => {
    const bundle = readFileSync(join(__dirname, '..', '..', '..', 'scripts', 'bundle.mjs'), 'utf8');
    expect(bundle).toContain(`target: 'node${OLDEST_NODE_MAJOR}'`);
  });

  test('a function on a newer Node.js runtime takes the onnxruntime layer', () => {
    const runtime = newerRuntime();
    const stack = newStack();
    const layer = onnxRuntimeLayer(stack, assembleOnnxRuntimeLayer('arm64'), lambda.Architecture.ARM_64);
    const fn = new lambda.Function(stack, 'Fn', { ...fnProps, runtime, architecture: lambda.Architecture.ARM_64 });
    expect(() => fn.addLayers(layer)).not.toThrow();
    template(stack).hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleRuntimes: Match.arrayWith([runtime.name]) });
  });

  test('a function on a newer Node.js runtime can be protected by a circuit breaker', () => {
    const runtime = newerRuntime();
    const stack = newStack();
    const fn = new PatternFunction(stack, 'Fn', { ...fnProps, runtime });
    new CircuitBreaker(stack, 'Breaker').protect(fn, { circuitIds: ['a'] });
    template(stack).hasResourceProperties('AWS::Lambda::Function', { Runtime: runtime.name, Layers: Match.anyValue() });
  });
});

describe('cdk-nag\'s latest-runtime rules while aws-cdk-lib knows a newer runtime than the verified one', () => {
  const latestRuntimeFindings = (stack: Stack) => [new AwsSolutionsChecks(), new ServerlessChecks()]
    .flatMap((pack) => pack.validateScope(stack).violations)
    .filter((v) => v.ruleName === 'AwsSolutions-L1' || v.ruleName === 'Serverless-LambdaLatestVersion')
    .map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath).join(',')}`)
    .sort();

  test('a function on the verified runtime is acknowledged; one on an older runtime is still reported', () => {
    newerRuntime(); // what a newer aws-cdk-lib (or the app) adds to lambda.Runtime.ALL
    const stack = newStack();
    new PatternFunction(stack, 'Verified', fnProps);
    new PatternFunction(stack, 'Older', { ...fnProps, runtime: lambda.Runtime.NODEJS_22_X });
    expect(latestRuntimeFindings(stack)).toEqual(['AwsSolutions-L1 Test/Older/Resource', 'Serverless-LambdaLatestVersion Test/Older/Resource']);
  });
});

describe('runtime lifecycle: warnings, never errors, the same on any day', () => {
  test('a runtime deprecated when the table was read is found; newer ones are not', () => {
    expect(runtimeLifecycleFinding('nodejs20.x')).toMatch(/nodejs20\.x is deprecated since 2026-04-30; Lambda stops creating functions on it from 2027-02-01/);
    expect(runtimeLifecycleFinding('nodejs12.x')).toMatch(/deprecated since 2023-03-31/);
    expect(runtimeLifecycleFinding('nodejs22.x')).toBeUndefined();
    expect(runtimeLifecycleFinding(VERIFIED_NODE_RUNTIME)).toBeUndefined();
    expect(runtimeLifecycleFinding('nodejs99.x')).toBeUndefined();
  });

  test('every table date is a date, and the table is read on one stated day', () => {
    expect(LAMBDA_RUNTIME_LIFECYCLE_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const { deprecated } of Object.values(LAMBDA_RUNTIME_LIFECYCLE)) expect(deprecated).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  test.each([
    ['past its creation block (nodejs12.x)', lambda.Runtime.NODEJS_12_X],
    ['deprecated (nodejs20.x)', lambda.Runtime.NODEJS_20_X],
  ])('a function on a runtime %s synthesizes, with a warning', (_name, runtime) => {
    const stack = newStack();
    new PatternFunction(stack, 'Fn', { ...fnProps, runtime });
    assertions.Annotations.fromStack(stack).hasWarning('/Test/Fn/Resource', Match.stringLikeRegexp(`${runtime.name} is deprecated.*\\[ack: ${WARNING_ID}\\]`));
  });

  test('the warning is acknowledged on the function itself (before or after it is added) or on the stack', () => {
    const warnings = (acknowledge: (fn: lambda.Function, stack: Stack) => void) => {
      const stack = newStack();
      const fn = new lambda.Function(stack, 'Theirs', { ...fnProps, runtime: lambda.Runtime.NODEJS_20_X });
      acknowledge(fn, stack);
      new CircuitBreaker(stack, 'Breaker').protect(fn, { circuitIds: ['a'] });
      return assertions.Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(WARNING_ID));
    };
    expect(warnings(() => undefined)).toHaveLength(1);
    expect(warnings((fn) => Annotations.of(fn).acknowledgeWarning(WARNING_ID, 'updated next sprint'))).toHaveLength(0);
    expect(warnings((_fn, stack) => Annotations.of(stack).acknowledgeWarning(WARNING_ID, 'updated next sprint'))).toHaveLength(0);
  });
});
