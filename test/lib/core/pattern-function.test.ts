import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { PatternFunction } from '../../../lib';
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
