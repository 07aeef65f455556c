import { join } from 'path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PatternFunction, PatternNodejsFunction } from '../../../lib';
import { INLINE_CODE, newStack, onlyResource, template } from '../../support/cdk';

describe('PatternFunction defaults', () => {
  const stack = newStack();
  const fn = new PatternFunction(stack, 'Fn', { code: INLINE_CODE, handler: 'index.handler' });
  const t = template(stack);

  test('newest Node runtime, arm64, 30 s, JSON logs with levels, active tracing', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs24.x',
      Architectures: ['arm64'],
      Timeout: 30,
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: {
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'WARN',
        LogGroup: { Ref: Match.stringLikeRegexp('^FnLogGroup') },
      },
    });
    expect(JSON.stringify(onlyResource(t, 'AWS::Lambda::Function').Properties)).not.toContain('NODE_EXTRA_CA_CERTS');
  });

  test('explicit log group with one month retention', () => {
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
    expect(fn.functionLogGroup).toBeDefined();
  });

  test('role has no managed policies; writes only to its own log group', () => {
    const role = onlyResource(t, 'AWS::IAM::Role');
    expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnLogGroup'), 'Arn'] },
          },
        ],
      },
    });
  });

  test('the X-Ray wildcard sits in its own acknowledged policy', () => {
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: [{ Action: ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'], Effect: 'Allow', Resource: '*' }],
      },
    });
    const policy = fn.node.findChild('TracingPolicy');
    expect(JSON.stringify(policy.node.metadata)).toContain('AwsSolutions-IAM5[Resource::*]');
  });

  test('no on-failure destination unless invoked asynchronously', () => {
    t.resourceCountIs('AWS::Lambda::EventInvokeConfig', 0);
    expect(fn.onFailureQueue).toBeUndefined();
  });
});

describe('PatternFunction options', () => {
  test('asynchronous functions get an encrypted on-failure queue and 2 retries', () => {
    const stack = newStack();
    const fn = new PatternFunction(stack, 'Fn', { code: INLINE_CODE, handler: 'index.handler', invokedAsynchronously: true });
    const t = template(stack);
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 2,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FnOnFailure'), 'Arn'] } } },
    });
    t.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 86400 });
    expect(fn.onFailureQueue?.queue).toBeDefined();
  });

  test('user props win over defaults', () => {
    const stack = newStack();
    new PatternFunction(stack, 'Fn', {
      code: INLINE_CODE,
      handler: 'index.handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.X86_64,
      timeout: Duration.seconds(5),
      tracing: lambda.Tracing.DISABLED,
      logRetention: logs.RetentionDays.ONE_WEEK,
    });
    const t = template(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['x86_64'],
      Timeout: 5,
      TracingConfig: Match.absent(),
    });
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    // logRetention is the retention of the function's own log group: aws-cdk-lib's custom resource is never created.
    t.resourceCountIs('Custom::LogRetention', 0);
    t.resourceCountIs('AWS::IAM::Policy', 1);
  });

  test('rejects logRetention beside a log group, the custom-resource options, and a double on-failure destination', () => {
    const withLogGroup = newStack();
    expect(
      () => new PatternFunction(withLogGroup, 'Fn', {
        code: INLINE_CODE, handler: 'i.h', logRetention: logs.RetentionDays.ONE_DAY, logGroup: new logs.LogGroup(withLogGroup, 'Mine'),
      }),
    ).toThrow(/Fn: logRetention sets the retention of the log group the function creates, but logGroup was also given/);
    expect(
      () => new PatternFunction(newStack(), 'Fn', { code: INLINE_CODE, handler: 'i.h', logRetentionRetryOptions: { maxRetries: 3 } }),
    ).toThrow(/PatternFunction.LogRetentionCustomResource/);
    const stack = newStack();
    const other = new PatternFunction(stack, 'Other', { code: INLINE_CODE, handler: 'i.h' });
    expect(
      () =>
        new PatternFunction(stack, 'Fn', {
          code: INLINE_CODE,
          handler: 'i.h',
          invokedAsynchronously: true,
          onFailure: new LambdaDestination(other),
        }),
    ).toThrow(/invokedAsynchronously creates an on-failure queue, but onFailure was also given/);
  });
});

test('an asynchronous function alarms on its first failed invocation, with the given action', () => {
  const stack = newStack();
  const topic = new sns.Topic(stack, 'Ops');
  const fn = new PatternFunction(stack, 'Async', {
    code: INLINE_CODE,
    handler: 'index.handler',
    invokedAsynchronously: true,
    alarmAction: new cloudwatchActions.SnsAction(topic),
  });
  expect(fn.onFailureAlarm).toBeDefined();
  template(stack).hasResourceProperties('AWS::CloudWatch::Alarm', {
    MetricName: 'ApproximateNumberOfMessagesVisible',
    Threshold: 1,
    Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AsyncOnFailureQueue'), 'QueueName'] } }],
    AlarmActions: [{ Ref: Match.stringLikeRegexp('^Ops') }],
  });
  const sync = newStack();
  expect(new PatternFunction(sync, 'Sync', { code: INLINE_CODE, handler: 'index.handler' }).onFailureAlarm).toBeUndefined();
  expect(Object.keys(template(sync).findResources('AWS::CloudWatch::Alarm'))).toEqual([]);
});

describe('what a pattern function creates lives inside its scope', () => {
  test('role, log group, on-failure queue and its alarm are children of the function, none beside it', () => {
    const stack = newStack();
    const fn = new PatternFunction(stack, 'Fn', { code: INLINE_CODE, handler: 'index.handler', invokedAsynchronously: true });
    expect(fn.node.children.map((c) => c.node.id)).toEqual(
      expect.arrayContaining(['ServiceRole', 'LogGroup', 'TracingPolicy', 'OnFailure', 'OnFailureAlarm', 'EventInvokeConfig']),
    );
    expect(stack.node.children.map((c) => c.node.id)).toEqual(['Fn']);
    expect(fn.role).toBe(fn.node.findChild('ServiceRole'));
    expect(fn.functionLogGroup).toBe(fn.node.findChild('LogGroup'));
    expect(fn.onFailureQueue).toBe(fn.node.findChild('OnFailure'));
  });

  test('fn.logGroup is the function\'s own log group, never aws-cdk-lib\'s log-retention custom resource', () => {
    const stack = newStack();
    const fn = new PatternFunction(stack, 'Fn', { code: INLINE_CODE, handler: 'index.handler' });
    expect(fn.logGroup).toBe(fn.functionLogGroup);
    template(stack).resourceCountIs('Custom::LogRetention', 0);
  });

  test('with aws-cdk-lib\'s managed log group flag, still one log group, the function\'s own, and no dependency cycle', () => {
    const stack = new Stack(new App({ context: { '@aws-cdk/aws-lambda:useCdkManagedLogGroup': true } }), 'S');
    const fn = new PatternFunction(stack, 'Fn', { code: INLINE_CODE, handler: 'index.handler' });
    const t = template(stack);
    t.resourceCountIs('AWS::Logs::LogGroup', 1);
    t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30, LogGroupName: Match.absent() });
    expect(fn.logGroup).toBe(fn.node.findChild('LogGroup'));
    expect(fn.logGroup).toBe(fn.functionLogGroup);
  });

  test('managed policies a user adds after construction are kept; aws-cdk-lib\'s default ones are not', () => {
    const stack = newStack();
    const fn = new PatternFunction(stack, 'Fn', { code: INLINE_CODE, handler: 'index.handler' });
    fn.role!.addManagedPolicy(iam.ManagedPolicy.fromAwsManagedPolicyName('ReadOnlyAccess'));
    const arns = JSON.stringify(onlyResource(template(stack), 'AWS::IAM::Role').Properties.ManagedPolicyArns);
    expect(arns).toContain('ReadOnlyAccess');
    expect(arns).not.toContain('AWSLambdaBasicExecutionRole');
  });

  test('asynchronous options are applied once, with the on-failure queue (no double configuration)', () => {
    const stack = newStack();
    new PatternFunction(stack, 'Fn', {
      code: INLINE_CODE, handler: 'index.handler', invokedAsynchronously: true, retryAttempts: 0, maxEventAge: Duration.minutes(5),
    });
    template(stack).hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      MaximumRetryAttempts: 0,
      MaximumEventAgeInSeconds: 300,
      DestinationConfig: { OnFailure: Match.objectLike({}) },
    });
  });

  test('only the function resource waits for the tracing policy (the role inside the function must not)', () => {
    const stack = newStack();
    new PatternFunction(stack, 'Fn', { code: INLINE_CODE, handler: 'index.handler', invokedAsynchronously: true });
    const t = template(stack);
    const dependents = Object.entries(t.toJSON().Resources as Record<string, { DependsOn?: string[] }>)
      .filter(([, r]) => (r.DependsOn ?? []).some((d) => d.startsWith('FnTracingPolicy')))
      .map(([logicalId]) => logicalId);
    expect(dependents).toEqual([Object.keys(t.findResources('AWS::Lambda::Function'))[0]]);
  });
});

test('PatternNodejsFunction: the same layout, logRetention on its own group, asynchronous options applied once', () => {
  const stack = newStack();
  const fn = new PatternNodejsFunction(stack, 'Fn', {
    entry: join(__dirname, '..', '..', 'cfn-lint', 'nodejs-handler.ts'),
    logRetention: logs.RetentionDays.ONE_WEEK,
    invokedAsynchronously: true,
    retryAttempts: 1,
  });
  const t = template(stack);
  // (the asset adds the synthesizer's BootstrapVersion parameter and rule beside it)
  expect(stack.node.children.map((c) => c.node.id).filter((id) => id.startsWith('Fn'))).toEqual(['Fn']);
  expect(fn.logGroup).toBe(fn.node.findChild('LogGroup'));
  t.resourceCountIs('Custom::LogRetention', 0);
  t.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
  t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 1, DestinationConfig: { OnFailure: Match.objectLike({}) } });
  expect(onlyResource(t, 'AWS::IAM::Role').Properties.ManagedPolicyArns).toBeUndefined();
});
