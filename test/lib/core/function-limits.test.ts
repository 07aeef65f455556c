import { join } from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { BufferedEventConsumer, FifoFanout, PatternErrors, PatternFunction, PatternNodejsFunction } from '../../../lib';
import { LAMBDA } from '../../../lib/core/private/limits';
import { INLINE_CODE, newStack, template } from '../../support/cdk';

const code = { code: INLINE_CODE, handler: 'index.handler' };

function problemIds(build: () => unknown): string[] {
  try {
    build();
  } catch (err) {
    if (PatternErrors.isPatternValidationError(err)) return PatternErrors.problemsOf(err).map((p) => p.id);
    throw err;
  }
  return [];
}

/** Synthesizes the app and returns the messages of failed construct validations. */
function synthErrors(stack: Stack): string {
  try {
    (stack.node.root as App).synth();
    return '';
  } catch (err) {
    return (err as Error).message;
  }
}

describe('Lambda limits on PatternFunction props: rejected past each bound, accepted at it', () => {
  test.each([
    ['timeout', { timeout: Duration.seconds(901) }, { timeout: Duration.seconds(900) }, 'Function.Timeout'],
    ['memory above', { memorySize: 10_241 }, { memorySize: 10_240 }, 'Function.Memory'],
    ['memory below', { memorySize: 127 }, { memorySize: 128 }, 'Function.Memory'],
    ['reserved concurrency', { reservedConcurrentExecutions: -1 }, { reservedConcurrentExecutions: 0 }, 'Function.ReservedConcurrency'],
    [
      'provisioned above reserved',
      { reservedConcurrentExecutions: 5, currentVersionOptions: { provisionedConcurrentExecutions: 6 } },
      { reservedConcurrentExecutions: 5, currentVersionOptions: { provisionedConcurrentExecutions: 5 } },
      'Function.ProvisionedAboveReserved',
    ],
    ['handler length', { handler: `a.${'h'.repeat(127)}` }, { handler: `a.${'h'.repeat(126)}` }, 'Function.Handler'],
  ])('%s', (_name, bad, good, id) => {
    expect(problemIds(() => new PatternFunction(newStack(), 'Fn', { ...code, ...bad }))).toEqual([id]);
    expect(problemIds(() => new PatternFunction(newStack(), 'Fn', { ...code, ...good }))).toEqual([]);
  });

  test('several mistakes are reported together', () => {
    expect(problemIds(() => new PatternFunction(newStack(), 'Fn', { ...code, timeout: Duration.minutes(20), memorySize: 64 })))
      .toEqual(['Function.Timeout', 'Function.Memory']);
  });
});

describe('limits only the finished app knows fail synthesis', () => {
  test('environment variables over 4 KB, counting those a construct adds', () => {
    const stack = newStack();
    const key = 'KEY';
    // Exactly at the limit, then one byte over once a second variable is added.
    const fn = new PatternFunction(stack, 'Fn', { ...code, environment: { [key]: 'v'.repeat(LAMBDA.environmentBytes.max - key.length) } });
    expect(synthErrors(stack)).toBe('');
    const over = newStack();
    const fn2 = new PatternFunction(over, 'Fn', { ...code, environment: { [key]: 'v'.repeat(LAMBDA.environmentBytes.max - key.length) } });
    fn2.addEnvironment('XY', '');
    expect(synthErrors(over)).toMatch(/environment variables take 4098 bytes.*\(Function\.EnvironmentSize\)/s);
    expect(fn).toBeDefined();
  });

  test('a plain lambda.Function consumer with an out-of-range timeout set on its L1 is caught', () => {
    const stack = newStack();
    const consumer = new lambda.Function(stack, 'Plain', {
      ...code, runtime: lambda.Runtime.NODEJS_22_X, timeout: Duration.seconds(30),
    });
    new FifoFanout(stack, 'Jobs').addSubscriber('Audit', { consumer });
    (consumer.node.defaultChild as lambda.CfnFunction).memorySize = 20_000;
    expect(synthErrors(stack)).toMatch(/memorySize 20000 MB is outside Lambda's 128\.\.10,240 MB.*\(Function\.Memory\)/s);
  });

  test('provisioned concurrency of an alias above the reserved concurrency of a consumer defined elsewhere', () => {
    const stack = newStack();
    const consumer = new lambda.Function(stack, 'Plain', {
      ...code, runtime: lambda.Runtime.NODEJS_22_X, timeout: Duration.seconds(30), reservedConcurrentExecutions: 2,
    });
    new lambda.Alias(stack, 'Live', { aliasName: 'live', version: consumer.currentVersion, provisionedConcurrentExecutions: 3 });
    new BufferedEventConsumer(stack, 'Orders', { eventPattern: { source: ['x'] }, consumer });
    expect(synthErrors(stack)).toMatch(/provisioned concurrency 3 exceeds reserved concurrency 2.*\(Function\.ProvisionedAboveReserved\)/s);
  });
});

describe('PatternFunction in a VPC', () => {
  const stack = newStack();
  const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  new PatternFunction(stack, 'Fn', { ...code, vpc });
  const t = template(stack);

  test('the role gets the network-interface actions Lambda checks at creation, in a policy of their own', () => {
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyName: Match.stringLikeRegexp('NetworkInterfacePolicy'),
      PolicyDocument: Match.objectLike({ Statement: Match.arrayWith([Match.objectLike({ Action: 'ec2:CreateNetworkInterface' })]) }),
    });
    const fn = Object.values(t.findResources('AWS::Lambda::Function'))[0];
    expect(fn.DependsOn).toEqual(expect.arrayContaining([expect.stringMatching(/^FnNetworkInterfacePolicy/)]));
  });

  test('only the two Describe actions, which support no resource-level permissions, are on *; the others are scoped', () => {
    const policy = Object.values(t.findResources('AWS::IAM::Policy')).find((p: any) => p.Properties.PolicyName.includes('NetworkInterfacePolicy')) as any;
    const statements = policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[];
    const resourcesOf = (action: string) => {
      const st = statements.find((x) => ([] as string[]).concat(x.Action).includes(action))!;
      return ([] as unknown[]).concat(st.Resource).map((r) => JSON.stringify(stack.resolve(r)));
    };
    for (const action of ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets']) expect(resourcesOf(action)).toEqual(['"*"']);
    for (const action of ['ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses']) {
      expect(resourcesOf(action)).toHaveLength(1);
      expect(resourcesOf(action)[0]).toMatch(/:network-interface\/\*/);
    }
    const create = resourcesOf('ec2:CreateNetworkInterface');
    expect(create).not.toContain('"*"');
    expect(create.filter((r) => r.includes(':subnet/'))).toHaveLength(2);
    for (const subnet of vpc.isolatedSubnets) expect(create.some((r) => r.includes(JSON.stringify(stack.resolve(subnet.subnetId))))).toBe(true);
    expect(create.some((r) => /:network-interface\/\*/.test(r))).toBe(true);
    expect(create.some((r) => /:security-group\/\*/.test(r))).toBe(true);
  });

  test('the wildcard is acknowledged on that policy only', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations.map((v) => v.ruleName).filter((r) => r.startsWith('AwsSolutions-IAM5'))).toEqual([]);
  });

  test('a function outside a VPC has no such policy', () => {
    const plain = newStack();
    new PatternFunction(plain, 'Fn', code);
    expect(Object.keys(template(plain).findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('NetworkInterface') } }))).toEqual([]);
  });
});

test('memory defaults to 256 MB and an explicit value wins', () => {
  const stack = newStack();
  new PatternFunction(stack, 'Default', code);
  new PatternFunction(stack, 'Explicit', { ...code, memorySize: 1024 });
  const sizes = Object.values(template(stack).findResources('AWS::Lambda::Function')).map((r) => r.Properties.MemorySize).sort();
  expect(sizes).toEqual([1024, 256]);
});

describe('PatternNodejsFunction: a TypeScript entry with every PatternFunction default', () => {
  const stack = newStack();
  const fn = new PatternNodejsFunction(stack, 'Greeter', {
    entry: join(__dirname, '..', '..', 'fixtures', 'nodejs-entry.ts'),
    invokedAsynchronously: true,
  });
  const t = Template.fromStack(stack);

  test('runtime, architecture, memory, logs and tracing as PatternFunction', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      MemorySize: 256,
      Timeout: 30,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: Match.objectLike({ LogFormat: 'JSON', LogGroup: { Ref: Match.stringLikeRegexp('^GreeterLogGroup') } }),
    });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 2 });
    expect(fn.onFailureQueue).toBeDefined();
  });

  test('no finding from AwsSolutions or ServerlessChecks', () => {
    const findings = [new AwsSolutionsChecks(), new ServerlessChecks()].flatMap((p) => p.validateScope(stack).violations);
    expect(findings.map((f) => `${f.ruleName} ${f.violatingResources.map((r) => r.resourceLogicalId).join(',')}`)).toEqual([]);
  });
});

test('an imported queue given to a construct keeps its warning and no limit check throws on it', () => {
  const stack = newStack();
  const queue = sqs.Queue.fromQueueArn(stack, 'Q', 'arn:aws:sqs:us-east-1:123456789012:q.fifo');
  new FifoFanout(stack, 'Jobs').addSubscriber('Audit', { queue });
  expect(synthErrors(stack)).toBe('');
});
