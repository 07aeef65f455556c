/** Small plain-aws-cdk-lib building blocks for the rule fixtures (no construct of this library). */
import { App, Duration, Stack, StackProps } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

export { NagRuleCompliance } from 'cdk-nag';

/** A stack in a fresh app; `env` makes ARNs concrete for imported resources. */
export function stack(id = 'S', props: StackProps = {}): Stack {
  return new Stack(new App(), id, props);
}

/** Two stacks of one app, for cross-stack references. */
export function twoStacks(): { app: App; producer: Stack; consumer: Stack } {
  const app = new App();
  return { app, producer: new Stack(app, 'Producer'), consumer: new Stack(app, 'Consumer') };
}

/** An L2 Node.js function with inline code. */
export function fn(scope: Construct, id: string, props: Partial<lambda.FunctionProps> = {}): lambda.Function {
  return new lambda.Function(scope, id, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({});'),
    timeout: Duration.seconds(10),
    ...props,
  });
}

/** The L1 path of the event source mapping `SqsEventSource` added to a function (its id carries a hash). */
export function sqsMappingPath(target: lambda.IFunction): string {
  const mapping = target.node.children.find((c) => c.node.id.startsWith('SqsEventSource:'));
  if (!mapping) throw new Error(`${target.node.path} has no SqsEventSource`);
  return `${mapping.node.path}/Resource`;
}
