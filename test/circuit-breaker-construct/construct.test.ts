import { Duration } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import { CIRCUIT_BREAKER_ENV } from '../../lambda/runtime/circuit-breaker';
import { CircuitBreaker, FailureCounting, PatternFunction, StoreFailureMode } from '../../lib';
import { CIRCUIT_ENV } from '../../lib/circuit-breaker/settings';
import { INLINE_CODE, newStack, onlyResource, template } from '../support/cdk';

const fnProps = { code: INLINE_CODE, handler: 'index.handler' };

describe('CircuitBreaker defaults', () => {
  const stack = newStack();
  const breaker = new CircuitBreaker(stack, 'Breaker');
  const fn = new PatternFunction(stack, 'Caller', fnProps);
  breaker.protect(fn, { circuitIds: ['payments-api', 'fx-api'] });
  const t = template(stack);

  test('table: pk id, TTL expiration, on-demand, PITR, destroyed with the stack', () => {
    t.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        TimeToLiveSpecification: { AttributeName: 'expiration', Enabled: true },
        BillingMode: 'PAY_PER_REQUEST',
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
  });

  test('extension layer for Node runtimes on both architectures, attached to the function', () => {
    t.hasResourceProperties('AWS::Lambda::LayerVersion', {
      CompatibleRuntimes: ['nodejs20.x', 'nodejs22.x', 'nodejs24.x'],
      CompatibleArchitectures: ['arm64', 'x86_64'],
    });
    const caller = onlyResource(t, 'AWS::Lambda::Function');
    expect(caller.Properties.Layers).toEqual([{ Ref: expect.stringMatching(/^BreakerExtensionLayer/) }]);
  });

  test('environment: table, circuits, extension port; unset settings are left to the runtime defaults', () => {
    const vars = onlyResource(t, 'AWS::Lambda::Function').Properties.Environment.Variables;
    expect(vars).toEqual({
      CIRCUIT_BREAKER_TABLE_NAME: { Ref: expect.stringMatching(/^BreakerTable/) },
      CIRCUIT_BREAKER_CIRCUIT_IDS: 'payments-api,fx-api',
      CIRCUIT_BREAKER_EXTENSION_PORT: '4243',
    });
  });

  test('grant: Get/Put/UpdateItem on the table, only for the items of its circuits', () => {
    const ddb = Object.values(t.findResources('AWS::IAM::Policy'))
      .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => JSON.stringify(s.Action).includes('dynamodb'));
    expect(ddb).toEqual([
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        Effect: 'Allow',
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^BreakerTable/), 'Arn'] },
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': ['payments-api', 'fx-api'] } },
      },
    ]);
  });

  test('one "circuit opened" alarm per circuit on the EMF metric', () => {
    expect(breaker.alarms).toHaveLength(2);
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ServerlessPatterns/CircuitBreaker',
      MetricName: 'CircuitOpened',
      Dimensions: [{ Name: 'CircuitId', Value: 'payments-api' }],
      Threshold: 1,
      TreatMissingData: 'notBreaching',
    });
    expect(breaker.healthChecker).toBeUndefined();
    t.resourceCountIs('AWS::Events::Rule', 0);
  });
});

describe('CircuitBreaker options', () => {
  test('settings become environment variables of every protected function', () => {
    const stack = newStack();
    const breaker = new CircuitBreaker(stack, 'Breaker', {
      failureThreshold: 3,
      failureCounting: FailureCounting.WINDOW,
      failureWindow: Duration.seconds(30),
      openTimeout: Duration.seconds(20),
      maxOpenTimeout: Duration.minutes(2),
      successThreshold: 2,
      callTimeout: Duration.seconds(2),
      storeFailureMode: StoreFailureMode.FAIL_CLOSED,
      metricsNamespace: 'Shop/Breakers',
    });
    breaker.protect(new PatternFunction(stack, 'Caller', fnProps), { circuitIds: ['a'] });
    const t = template(stack);
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          CIRCUIT_BREAKER_FAILURE_THRESHOLD: '3',
          CIRCUIT_BREAKER_FAILURE_COUNTING: 'WINDOW',
          CIRCUIT_BREAKER_FAILURE_WINDOW_MS: '30000',
          CIRCUIT_BREAKER_OPEN_TIMEOUT_MS: '20000',
          CIRCUIT_BREAKER_MAX_OPEN_TIMEOUT_MS: '120000',
          CIRCUIT_BREAKER_SUCCESS_THRESHOLD: '2',
          CIRCUIT_BREAKER_CALL_TIMEOUT_MS: '2000',
          CIRCUIT_BREAKER_STORE_FAILURE_MODE: 'FAIL_CLOSED',
          CIRCUIT_BREAKER_METRICS_NAMESPACE: 'Shop/Breakers',
        }),
      },
    });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'Shop/Breakers' });
  });

  test('health checker: scheduled, asynchronous with on-failure queue and no retries, checks as JSON', () => {
    const stack = newStack();
    const ops = new sns.Topic(stack, 'Ops');
    const breaker = new CircuitBreaker(stack, 'Breaker', {
      healthChecks: [
        { url: 'https://quotes.example.com/health', circuitId: 'quotes', timeout: Duration.seconds(2) },
        { url: 'https://fx.example.com/ping', circuitId: 'fx', expectStatus: 204 },
      ],
      healthCheckInterval: Duration.minutes(5),
      alarmAction: new cloudwatchActions.SnsAction(ops),
    });
    const t = template(stack);
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Timeout: 13,
      Environment: {
        Variables: Match.objectLike({
          CIRCUIT_BREAKER_CIRCUIT_IDS: 'quotes,fx',
          CIRCUIT_BREAKER_HEALTH_CHECKS: JSON.stringify([
            { url: 'https://quotes.example.com/health', circuitId: 'quotes', timeoutMs: 2000 },
            { url: 'https://fx.example.com/ping', circuitId: 'fx', timeoutMs: 3000, expectStatus: 204 },
          ]),
        }),
      },
    });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0 });
    // Two circuits + the on-failure queue; all with the action.
    expect(breaker.alarms).toHaveLength(3);
    for (const a of Object.values(t.findResources('AWS::CloudWatch::Alarm')) as any[]) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Ops/) }]);
    }
    expect(breaker.healthChecker).toBeDefined();
  });

  test('an alarm is created once per circuit however many functions guard it', () => {
    const stack = newStack();
    const breaker = new CircuitBreaker(stack, 'Breaker');
    breaker.protect(new PatternFunction(stack, 'A', fnProps), { circuitIds: ['x'] });
    breaker.protect(new PatternFunction(stack, 'B', fnProps), { circuitIds: ['x', 'y'] });
    expect(breaker.alarms).toHaveLength(2);
  });
});

test('the construct sets exactly the variable names the runtime reads', () => {
  const runtimeNames = new Set(Object.values(CIRCUIT_BREAKER_ENV));
  for (const name of Object.values(CIRCUIT_ENV)) expect(runtimeNames).toContain(name);
});

describe('CircuitBreaker validation', () => {
  const cases: [string, (s: ReturnType<typeof newStack>) => void, RegExp][] = [
    ['failureThreshold 0', (s) => new CircuitBreaker(s, 'B', { failureThreshold: 0 }), /failureThreshold 0 is not a positive integer/],
    ['successThreshold 1.5', (s) => new CircuitBreaker(s, 'B', { successThreshold: 1.5 }), /successThreshold 1\.5 is not a positive integer/],
    ['maxOpenTimeout below openTimeout', (s) => new CircuitBreaker(s, 'B', { openTimeout: Duration.minutes(2), maxOpenTimeout: Duration.minutes(1) }), /maxOpenTimeout \(60000 ms\) is shorter than openTimeout \(120000 ms\)/],
    ['an open timeout under a second', (s) => new CircuitBreaker(s, 'B', { openTimeout: Duration.millis(200) }), /openTimeout 200 ms is under one second/],
    ['failureWindow without WINDOW counting', (s) => new CircuitBreaker(s, 'B', { failureWindow: Duration.seconds(10) }), /failureWindow was given without failureCounting/],
    ['a health check URL that is not http', (s) => new CircuitBreaker(s, 'B', { healthChecks: [{ url: 'ftp://x', circuitId: 'x' }] }), /health check URL "ftp:\/\/x" is not http\(s\)/],
    ['a health check timeout over 60 s', (s) => new CircuitBreaker(s, 'B', { healthChecks: [{ url: 'https://x', circuitId: 'x', timeout: Duration.minutes(2) }] }), /health check timeout 120000 ms/],
    ['a sub-minute health check interval', (s) => new CircuitBreaker(s, 'B', { healthChecks: [{ url: 'https://x', circuitId: 'x' }], healthCheckInterval: Duration.seconds(30) }), /healthCheckInterval 30 seconds is not a whole number of minutes/],
    ['an invalid circuit id', (s) => new CircuitBreaker(s, 'B').protect(new PatternFunction(s, 'F', fnProps), { circuitIds: ['has,comma'] }), /circuit id "has,comma" is not valid/],
    ['no circuit ids', (s) => new CircuitBreaker(s, 'B').protect(new PatternFunction(s, 'F', fnProps), { circuitIds: [] }), /no circuit ids were given/],
    ['duplicate circuit ids', (s) => new CircuitBreaker(s, 'B').protect(new PatternFunction(s, 'F', fnProps), { circuitIds: ['a', 'a'] }), /contain a duplicate/],
    ['an imported function', (s) => new CircuitBreaker(s, 'B').protect(lambda.Function.fromFunctionName(s, 'F', 'f'), { circuitIds: ['a'] }), /function Test\/F is imported/],
    ['a Python function', (s) => new CircuitBreaker(s, 'B').protect(new PatternFunction(s, 'F', { ...fnProps, runtime: lambda.Runtime.PYTHON_3_12 }), { circuitIds: ['a'] }), /runs python3\.12; the runtime client and extension are for Node\.js/],
    [
      'protecting a function twice',
      (s) => {
        const b = new CircuitBreaker(s, 'B');
        const f = new PatternFunction(s, 'F', fnProps);
        b.protect(f, { circuitIds: ['a'] });
        b.protect(f, { circuitIds: ['b'] });
      },
      /function Test\/F is already protected/,
    ],
    [
      'a function that already has five layers',
      (s) => {
        const f = new PatternFunction(s, 'F', fnProps);
        for (let i = 0; i < 5; i++) f.addLayers(lambda.LayerVersion.fromLayerVersionArn(s, `L${i}`, `arn:aws:lambda:us-east-1:111111111111:layer:l${i}:1`));
        new CircuitBreaker(s, 'B').protect(f, { circuitIds: ['a'] });
      },
      /extension layer cannot be added to function Test\/F \(.*5 layers.*\)\. Fix: keep protected functions below/,
    ],
  ];
  test.each(cases)('rejects %s with a message naming the fix', (_n, build, message) => {
    expect(() => build(newStack())).toThrow(message);
    expect(() => build(newStack())).toThrow(/^\[Test\/B\].*Fix: /);
  });
});
