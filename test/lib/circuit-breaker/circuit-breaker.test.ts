import { Duration } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import fc from 'fast-check';
import { resolveCircuitBreakerConfig } from '../../../lambda/runtime/circuit-breaker';
import { CircuitBreaker, CircuitBreakerSettings, FailureCounting, PatternFunction, StoreFailureMode } from '../../../lib';
import {
  CIRCUIT_BREAKER_DEFAULTS as RUNTIME_DEFAULTS, CIRCUIT_BREAKER_ENV as CIRCUIT_ENV, CIRCUIT_BREAKER_LIMITS as RUNTIME_LIMITS,
} from '../../../lib/circuit-breaker/contract';
import { settingsEnvironment } from '../../../lib/circuit-breaker/private/settings-environment';
import { CALL_TIMEOUT_MARGIN_MS, validateSettings } from '../../../lib/circuit-breaker/private/validation';
import { validate } from '../../../lib/core/private/validation';
import { INLINE_CODE, newStack, onlyResource, template } from '../../support/cdk';

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
      // Every Node.js runtime from 20 the installed aws-cdk-lib knows (nodejs26.x too on 2.278): the runtime policy.
      CompatibleRuntimes: Match.arrayWith(['nodejs20.x', 'nodejs22.x', 'nodejs24.x']),
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

  test('one "circuit opened" alarm per circuit on the EMF metric, and one when the table refuses or does not answer', () => {
    expect(breaker.alarms).toHaveLength(3);
    // A store outage is not silent: every failed table request emits StoreUnavailable, also without dimensions.
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ServerlessPatterns/CircuitBreaker',
      MetricName: 'StoreUnavailable',
      Statistic: 'Sum',
      Threshold: 1,
      Dimensions: Match.absent(),
    });
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

  test('failure-rate settings become environment variables too', () => {
    const stack = newStack();
    const breaker = new CircuitBreaker(stack, 'Breaker', { failureRateThreshold: 20, minimumCalls: 50, failureWindow: Duration.seconds(45) });
    breaker.protect(new PatternFunction(stack, 'Caller', fnProps), { circuitIds: ['a'] });
    template(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          CIRCUIT_BREAKER_FAILURE_RATE_THRESHOLD: '20', CIRCUIT_BREAKER_MINIMUM_CALLS: '50', CIRCUIT_BREAKER_FAILURE_WINDOW_MS: '45000',
        }),
      },
    });
  });

  test.each([
    [undefined, 60],
    [Duration.minutes(1), 60],
    [Duration.hours(7), 21_600],
  ])('a health check interval of %p keeps a throttled check queued for %p s at most', (interval, seconds) => {
    const stack = newStack();
    new CircuitBreaker(stack, 'Breaker', { healthChecks: [{ url: 'https://x.example.com', circuitId: 'x' }], healthCheckInterval: interval });
    template(stack).hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumEventAgeInSeconds: seconds });
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
    // A throttled check waits in Lambda's asynchronous queue for one interval at most (the next check replaces it).
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 });
    // Two circuits, the store, the on-failure queue, the schedule's dead-letter queue and its failed invocations; all with the action.
    expect(breaker.alarms).toHaveLength(6);
    // Health checks cannot stop silently: undeliverable schedule events go to a dead-letter queue, and failed
    // invocations of the schedule are alarmed on the metric EventBridge publishes for a default-bus rule.
    const rule = Object.values(t.findResources('AWS::Events::Rule'))[0] as any;
    expect(rule.Properties.Targets[0].DeadLetterConfig.Arn).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^BreakerHealthCheckScheduleDeadLetterQueue/), 'Arn'] });
    t.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'FailedInvocations',
      Namespace: 'AWS/Events',
      Dimensions: [{ Name: 'RuleName', Value: { Ref: Match.stringLikeRegexp('^BreakerHealthCheckSchedule') } }],
    });
    expect(breaker.healthCheckDeadLetterQueue).toBeDefined();
    for (const a of Object.values(t.findResources('AWS::CloudWatch::Alarm')) as any[]) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^Ops/) }]);
    }
    expect(breaker.healthChecker).toBeDefined();
  });

  test('health checker memory, log group and reserved concurrency can be set; without checks they are refused', () => {
    const stack = newStack();
    const logGroup = new logs.LogGroup(stack, 'Encrypted', { retention: logs.RetentionDays.ONE_YEAR });
    new CircuitBreaker(stack, 'Breaker', {
      healthChecks: [{ url: 'https://quotes.example.com/health', circuitId: 'quotes' }],
      healthChecker: { memorySize: 512, logGroup, reservedConcurrentExecutions: 2 },
    });
    template(stack).hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 512,
      ReservedConcurrentExecutions: 2,
      LoggingConfig: Match.objectLike({ LogGroup: { Ref: Match.stringLikeRegexp('^Encrypted') } }),
    });
    expect(() => new CircuitBreaker(newStack(), 'B', { healthChecker: { memorySize: 512 } })).toThrow(/\(CircuitBreaker\.HealthCheckerWithoutChecks\)/);
    expect(() => new CircuitBreaker(newStack(), 'B', {
      healthChecks: [{ url: 'https://q.example.com', circuitId: 'q' }], healthChecker: { memorySize: 64 },
    })).toThrow(/memorySize 64 MB.*\(Function\.Memory\)/);
  });

  test('a protected function below 256 MB gets a warning about the extension\'s footprint', () => {
    const stack = newStack();
    const fn = new PatternFunction(stack, 'Small', { ...fnProps, memorySize: 128 });
    new CircuitBreaker(stack, 'Breaker').protect(fn, { circuitIds: ['x'] });
    const warnings = Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('ProtectedFunctionMemory'));
    expect(warnings).toHaveLength(1);
  });

  test('a function timeout at least two store budgets above callTimeout is accepted (Lambda default timeout included)', () => {
    const stack = newStack();
    const breaker = new CircuitBreaker(stack, 'Breaker', { callTimeout: Duration.seconds(1) });
    breaker.protect(new lambda.Function(stack, 'OnDefault', { ...fnProps, runtime: lambda.Runtime.NODEJS_22_X }), { circuitIds: ['a'] });
    breaker.protect(new PatternFunction(stack, 'Tight', { ...fnProps, timeout: Duration.seconds(3) }), { circuitIds: ['b'] });
    // The runtime's bound: a read before the call and a count after it, each within the store timeout.
    expect(CALL_TIMEOUT_MARGIN_MS).toBe(2 * RUNTIME_DEFAULTS.storeTimeoutMs);
  });

  test('a function timeout one second above callTimeout is refused: the count after a hanging call could be cut off', () => {
    const stack = newStack();
    const breaker = new CircuitBreaker(stack, 'Breaker', { callTimeout: Duration.seconds(2) });
    const tight = new PatternFunction(stack, 'Tight', { ...fnProps, timeout: Duration.seconds(3) });
    expect(() => {
      breaker.protect(tight, { circuitIds: ['b'] });
      Template.fromStack(stack);
    }).toThrow(/raise the function's timeout to at least 4 seconds/);
  });

  test('the health checker leaves the margin after its slowest check', () => {
    const stack = newStack();
    const breaker = new CircuitBreaker(stack, 'Breaker', {
      healthChecks: [{ url: 'https://slow.example.com', circuitId: 'slow', timeout: Duration.seconds(60) }],
    });
    expect(breaker.healthChecker!.timeout!.toMilliseconds()).toBeGreaterThanOrEqual(60_000 + CALL_TIMEOUT_MARGIN_MS);
  });

  test('alarm ids come from circuit ids: a new circuit, or protect calls in another order, leave existing alarms alone', () => {
    const alarmIds = (build: (b: CircuitBreaker, s: ReturnType<typeof newStack>) => void) => {
      const stack = newStack();
      build(new CircuitBreaker(stack, 'Breaker'), stack);
      const byCircuit: Record<string, string> = {};
      for (const [logicalId, alarm] of Object.entries(template(stack).findResources('AWS::CloudWatch::Alarm')) as [string, any][]) {
        if (alarm.Properties.Dimensions) byCircuit[alarm.Properties.Dimensions[0].Value] = logicalId;
      }
      return byCircuit;
    };
    const before = alarmIds((b, s) => {
      b.protect(new PatternFunction(s, 'A', fnProps), { circuitIds: ['payments-api'] });
      b.protect(new PatternFunction(s, 'B', fnProps), { circuitIds: ['fx.api:v2'] });
    });
    const after = alarmIds((b, s) => {
      b.protect(new PatternFunction(s, 'New', fnProps), { circuitIds: ['new_dep'] });
      b.protect(new PatternFunction(s, 'B', fnProps), { circuitIds: ['fx.api:v2'] });
      b.protect(new PatternFunction(s, 'A', fnProps), { circuitIds: ['payments-api'] });
    });
    expect(Object.keys(after).sort()).toEqual(['fx.api:v2', 'new_dep', 'payments-api']);
    expect(after['payments-api']).toBe(before['payments-api']);
    expect(after['fx.api:v2']).toBe(before['fx.api:v2']);
    expect(before['payments-api']).toMatch(/^BreakerOpenedpaymentsapiAlarm[0-9A-F]{8}$/);
  });

  test('circuit ids differing only in punctuation get distinct alarms', () => {
    const stack = newStack();
    const breaker = new CircuitBreaker(stack, 'Breaker');
    breaker.protect(new PatternFunction(stack, 'A', fnProps), { circuitIds: ['a-b', 'a.b', 'a_b', 'a:b', 'ab'] });
    // Five circuits and the store.
    expect(breaker.alarms).toHaveLength(6);
    template(stack).resourceCountIs('AWS::CloudWatch::Alarm', 6);
  });

  test('an alarm is created once per circuit however many functions guard it', () => {
    const stack = newStack();
    const breaker = new CircuitBreaker(stack, 'Breaker');
    breaker.protect(new PatternFunction(stack, 'A', fnProps), { circuitIds: ['x'] });
    breaker.protect(new PatternFunction(stack, 'B', fnProps), { circuitIds: ['x', 'y'] });
    // Two circuits and the store.
    expect(breaker.alarms).toHaveLength(3);
  });
});

describe('whatever synth accepts, the runtime client accepts', () => {
  const runtimeAccepts = (s: CircuitBreakerSettings) => {
    const env = { ...settingsEnvironment(s), [CIRCUIT_ENV.TABLE_NAME]: 't', [CIRCUIT_ENV.EXTENSION_PORT]: '4243' };
    return () => resolveCircuitBreakerConfig({}, env);
  };

  test('synth and runtime both accept each limit\'s boundary and both reject one past it', () => {
    const limit = RUNTIME_LIMITS.metricsNamespaceMaxLength;
    const longest = { metricsNamespace: 'n'.repeat(limit) };
    expect(() => validate(newStack(), (p) => validateSettings(p, longest))).not.toThrow();
    expect(runtimeAccepts(longest)).not.toThrow();
    const tooLong = { metricsNamespace: 'n'.repeat(limit + 1) };
    expect(() => validate(newStack(), (p) => validateSettings(p, tooLong))).toThrow(/metricsNamespace/);
    expect(runtimeAccepts(tooLong)).toThrow(/metricsNamespace/);

    const largest = { failureThreshold: RUNTIME_LIMITS.maxInteger };
    expect(() => validate(newStack(), (p) => validateSettings(p, largest))).not.toThrow();
    expect(runtimeAccepts(largest)).not.toThrow();
    const tooLarge = { failureThreshold: RUNTIME_LIMITS.maxInteger + 1 };
    expect(() => validate(newStack(), (p) => validateSettings(p, tooLarge))).toThrow(/failureThreshold/);
    expect(runtimeAccepts(tooLarge)).toThrow(/FAILURE_THRESHOLD/);

    // maxOpenTimeout + callTimeout + lease extra must stay below the record TTL.
    const ttlMs = RUNTIME_DEFAULTS.recordTtlSeconds * 1000;
    const call = RUNTIME_DEFAULTS.callTimeoutMs;
    const fits = { maxOpenTimeout: Duration.millis(ttlMs - RUNTIME_DEFAULTS.probeLeaseExtraMs - call - 1) };
    expect(() => validate(newStack(), (p) => validateSettings(p, fits))).not.toThrow();
    expect(runtimeAccepts(fits)).not.toThrow();
    const reaches = { maxOpenTimeout: Duration.millis(ttlMs - RUNTIME_DEFAULTS.probeLeaseExtraMs - call) };
    expect(() => validate(newStack(), (p) => validateSettings(p, reaches))).toThrow(/maxOpenTimeout/);
    expect(runtimeAccepts(reaches)).toThrow(/recordTtlSeconds/);
  });

  test('synth and runtime agree on the counting settings: rate bounds, the window against the report interval, and which rule a setting belongs to', () => {
    const both = (s: CircuitBreakerSettings, accepted: boolean) => {
      const synth = () => validate(newStack(), (p) => validateSettings(p, s));
      if (accepted) {
        expect(synth).not.toThrow();
        expect(runtimeAccepts(s)).not.toThrow();
      } else {
        expect(synth).toThrow();
        expect(runtimeAccepts(s)).toThrow();
      }
    };
    const { failureRateMinPercent: min, failureRateMaxPercent: max } = RUNTIME_LIMITS;
    both({ failureRateThreshold: min, minimumCalls: 1 }, true);
    both({ failureRateThreshold: max }, true);
    both({ failureRateThreshold: min - 1 }, false);
    both({ failureRateThreshold: max + 1 }, false);
    const flush = RUNTIME_DEFAULTS.tallyFlushIntervalMs;
    both({ failureWindow: Duration.millis(flush + 1) }, true);
    both({ failureWindow: Duration.millis(flush) }, false);
    // A window as short as a millisecond is fine when failures are counted one by one.
    both({ failureThreshold: 2, failureWindow: Duration.millis(1) }, true);
    both({ failureCounting: FailureCounting.WINDOW, failureThreshold: 2 }, true);
    both({ failureCounting: FailureCounting.RATE, failureThreshold: 2 }, false);
    both({ failureThreshold: 2, minimumCalls: 5 }, false);
  });

  test('every combination of settings synth accepts starts the runtime client', () => {
    const ms = fc.oneof(
      fc.integer({ min: 0, max: 2_000 }),
      fc.integer({ min: 0, max: 100_000_000 }),
      fc.constantFrom(0, 1, 999, 1_000, 86_384_999, 86_385_000, 86_395_000),
    );
    const duration = fc.option(ms.map((n) => Duration.millis(n)), { nil: undefined });
    const count = fc.option(
      fc.oneof(fc.integer({ min: -1, max: 10 }), fc.constantFrom(RUNTIME_LIMITS.maxInteger, RUNTIME_LIMITS.maxInteger + 1)),
      { nil: undefined },
    );
    const percent = fc.option(fc.oneof(fc.integer({ min: -1, max: 102 }), fc.constantFrom(0.5, 50.5)), { nil: undefined });
    const settings = fc.record<CircuitBreakerSettings>({
      failureThreshold: count,
      failureRateThreshold: percent,
      minimumCalls: count,
      successThreshold: count,
      failureCounting: fc.option(fc.constantFrom(...Object.values(FailureCounting)), { nil: undefined }),
      failureWindow: duration,
      openTimeout: duration,
      maxOpenTimeout: duration,
      callTimeout: duration,
      storeFailureMode: fc.option(fc.constantFrom(...Object.values(StoreFailureMode)), { nil: undefined }),
      metricsNamespace: fc.option(fc.string({ minLength: 0, maxLength: 300, unit: fc.constantFrom('a', '/', 'B') }), { nil: undefined }),
    }, { requiredKeys: [] });
    const scope = newStack();
    fc.assert(
      fc.property(settings, (s) => {
        try {
          validate(scope, (p) => validateSettings(p, s));
        } catch {
          return; // rejected at synth: nothing reaches the runtime
        }
        expect(runtimeAccepts(s)).not.toThrow();
      }),
      { numRuns: 2_000 },
    );
  });
});

describe('CircuitBreaker validation', () => {
  const cases: [string, (s: ReturnType<typeof newStack>) => void, RegExp][] = [
    ['failureThreshold 0', (s) => new CircuitBreaker(s, 'B', { failureThreshold: 0 }), /failureThreshold 0 is not a positive integer/],
    ['successThreshold 1.5', (s) => new CircuitBreaker(s, 'B', { successThreshold: 1.5 }), /successThreshold 1\.5 is not a positive integer/],
    ['maxOpenTimeout below openTimeout', (s) => new CircuitBreaker(s, 'B', { openTimeout: Duration.minutes(2), maxOpenTimeout: Duration.minutes(1) }), /maxOpenTimeout \(60000 ms\) is shorter than openTimeout \(120000 ms\)/],
    ['an open timeout under a second', (s) => new CircuitBreaker(s, 'B', { openTimeout: Duration.millis(200) }), /openTimeout 200 ms is under one second/],
    ['failureThreshold with RATE counting', (s) => new CircuitBreaker(s, 'B', { failureCounting: FailureCounting.RATE, failureThreshold: 3 }), /failureThreshold applies to FailureCounting\.WINDOW, but the circuit counts with FailureCounting\.RATE\. Fix: drop failureThreshold, or pass failureCounting: FailureCounting\.WINDOW/],
    ['minimumCalls with a failureThreshold (WINDOW counting)', (s) => new CircuitBreaker(s, 'B', { failureThreshold: 3, minimumCalls: 10 }), /minimumCalls applies to FailureCounting\.RATE, but the circuit counts with FailureCounting\.WINDOW/],
    ['failureRateThreshold with WINDOW counting', (s) => new CircuitBreaker(s, 'B', { failureCounting: FailureCounting.WINDOW, failureRateThreshold: 20 }), /failureRateThreshold applies to FailureCounting\.RATE/],
    ['failureRateThreshold 0', (s) => new CircuitBreaker(s, 'B', { failureRateThreshold: 0 }), /failureRateThreshold 0 is not a whole percentage from 1 to 100/],
    ['failureRateThreshold 12.5', (s) => new CircuitBreaker(s, 'B', { failureRateThreshold: 12.5 }), /failureRateThreshold 12\.5 is not a whole percentage/],
    ['minimumCalls 0', (s) => new CircuitBreaker(s, 'B', { minimumCalls: 0 }), /minimumCalls 0 is not a positive integer/],
    ['a RATE window no longer than the report interval', (s) => new CircuitBreaker(s, 'B', { failureWindow: Duration.seconds(1) }), /failureWindow 1000 ms is not longer than the 1000 ms at which environments report their calls/],
    ['a health check URL that is not http', (s) => new CircuitBreaker(s, 'B', { healthChecks: [{ url: 'ftp://x', circuitId: 'x' }] }), /health check URL "ftp:\/\/x" is not http\(s\)/],
    ['a health check timeout over 60 s', (s) => new CircuitBreaker(s, 'B', { healthChecks: [{ url: 'https://x', circuitId: 'x', timeout: Duration.minutes(2) }] }), /health check timeout 120000 ms/],
    ['a health check interval without health checks', (s) => new CircuitBreaker(s, 'B', { healthCheckInterval: Duration.minutes(5) }), /healthCheckInterval was given without healthChecks/],
    ['a sub-minute health check interval', (s) => new CircuitBreaker(s, 'B', { healthChecks: [{ url: 'https://x', circuitId: 'x' }], healthCheckInterval: Duration.seconds(30) }), /healthCheckInterval 30 seconds is not a whole number of minutes/],
    ['an invalid circuit id', (s) => new CircuitBreaker(s, 'B').protect(new PatternFunction(s, 'F', fnProps), { circuitIds: ['has,comma'] }), /circuit id "has,comma" is not valid/],
    ['no circuit ids', (s) => new CircuitBreaker(s, 'B').protect(new PatternFunction(s, 'F', fnProps), { circuitIds: [] }), /no circuit ids were given/],
    ['duplicate circuit ids', (s) => new CircuitBreaker(s, 'B').protect(new PatternFunction(s, 'F', fnProps), { circuitIds: ['a', 'a'] }), /contain a duplicate/],
    // protect() takes a lambda.Function; an untyped caller (JavaScript, or a jsii host without type checks) still gets the error.
    ['an imported function', (s) => new CircuitBreaker(s, 'B').protect(lambda.Function.fromFunctionName(s, 'F', 'f') as unknown as lambda.Function, { circuitIds: ['a'] }), /function Test\/F is imported/],
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
    // Settings the runtime client would reject at cold start.
    ['failureWindow 0', (s) => new CircuitBreaker(s, 'B', { failureCounting: FailureCounting.WINDOW, failureWindow: Duration.millis(0) }), /failureWindow is zero/],
    [
      'maxOpenTimeout plus the probe lease reaching the record TTL',
      (s) => new CircuitBreaker(s, 'B', { maxOpenTimeout: Duration.hours(24) }),
      /maxOpenTimeout \(86400000 ms\) plus the probe lease \(callTimeout \+ 5000 ms = 15000 ms\) is not below the 1 day \(86400000 ms\) after which a circuit item expires\. Fix: lower maxOpenTimeout or callTimeout so that maxOpenTimeout \+ callTimeout stays below 86395000 ms/,
    ],
    [
      'a call timeout that pushes the probe lease past the record TTL',
      (s) => new CircuitBreaker(s, 'B', { callTimeout: Duration.hours(23).plus(Duration.minutes(55)) }),
      /maxOpenTimeout \(300000 ms\) plus the probe lease \(callTimeout \+ 5000 ms = 86105000 ms\) is not below/,
    ],
    ['an empty metricsNamespace', (s) => new CircuitBreaker(s, 'B', { metricsNamespace: '' }), /metricsNamespace is 0 characters long\. Fix: use 1 to 255 characters/],
    ['a metricsNamespace over 255 characters', (s) => new CircuitBreaker(s, 'B', { metricsNamespace: 'x'.repeat(256) }), /metricsNamespace is 256 characters long/],
    ['a failureThreshold beyond a safe integer', (s) => new CircuitBreaker(s, 'B', { failureThreshold: 2 ** 53 }), /failureThreshold 9007199254740992 is above 9007199254740991/],
    ['a successThreshold beyond a safe integer', (s) => new CircuitBreaker(s, 'B', { successThreshold: 1e21 }), /successThreshold 1e\+21 is above/],
    ['an unknown failureCounting', (s) => new CircuitBreaker(s, 'B', { failureCounting: 'SLIDING' as FailureCounting }), /failureCounting "SLIDING" is not one of RATE, WINDOW/],
    ['an unknown storeFailureMode', (s) => new CircuitBreaker(s, 'B', { storeFailureMode: 'IGNORE' as StoreFailureMode }), /storeFailureMode "IGNORE" is not one of FAIL_OPEN, FAIL_CLOSED/],
    ['an open timeout in fractions of a millisecond', (s) => new CircuitBreaker(s, 'B', { openTimeout: Duration.millis(1500.5) }), /openTimeout 1 second 500\.5 millis is not a whole number of milliseconds/],
    ['a health check expectStatus that is not an HTTP status', (s) => new CircuitBreaker(s, 'B', { healthChecks: [{ url: 'https://x', circuitId: 'x', expectStatus: 700 }] }), /health check expectStatus 700 for https:\/\/x is not an HTTP status code/],
    // The call timeout against the protected function's timeout.
    [
      'a function on the Lambda default timeout with the default callTimeout',
      (s) => new CircuitBreaker(s, 'B').protect(new lambda.Function(s, 'F', { ...fnProps, runtime: lambda.Runtime.NODEJS_22_X }), { circuitIds: ['a'] }),
      /function Test\/F times out after 3 seconds \(the Lambda default\), but callTimeout is 10 seconds: Lambda ends the invocation before the breaker can count a call that hangs.*Fix: raise the function's timeout to at least 12 seconds \(callTimeout plus 2 seconds: a store budget to read the state before the call and one to record the failure after it\), or lower callTimeout to at most 1 second/,
    ],
    [
      'a function timeout equal to callTimeout',
      (s) => new CircuitBreaker(s, 'B', { callTimeout: Duration.seconds(5) }).protect(new PatternFunction(s, 'F', { ...fnProps, timeout: Duration.seconds(5) }), { circuitIds: ['a'] }),
      /function Test\/F times out after 5 seconds, but callTimeout is 5 seconds/,
    ],
    [
      'a function timeout less than two store budgets above callTimeout',
      (s) => new CircuitBreaker(s, 'B', { callTimeout: Duration.millis(4500) }).protect(new PatternFunction(s, 'F', { ...fnProps, timeout: Duration.seconds(5) }), { circuitIds: ['a'] }),
      /times out after 5 seconds, but callTimeout is 4 seconds 500 millis.*at least 6 seconds 500 millis.*at most 3 seconds/,
    ],
    // One breaker per function, across constructs.
    [
      'protecting a function from two CircuitBreakers',
      (s) => {
        const f = new PatternFunction(s, 'F', fnProps);
        new CircuitBreaker(s, 'A').protect(f, { circuitIds: ['a'] });
        new CircuitBreaker(s, 'B').protect(f, { circuitIds: ['b'] });
      },
      /function Test\/F is already protected by Test\/A\. Fix: protect each function once, from one CircuitBreaker, listing all its circuit ids in that protect call/,
    ],
    [
      'protecting the health checker',
      (s) => {
        const b = new CircuitBreaker(s, 'B', { healthChecks: [{ url: 'https://x', circuitId: 'x' }] });
        b.protect(b.healthChecker!, { circuitIds: ['y'] });
      },
      /function Test\/B\/HealthChecker is already protected by Test\/B/,
    ],
    // The layer's runtimes, checked before addLayers.
    [
      'a Node.js 18 function',
      (s) => new CircuitBreaker(s, 'B').protect(new PatternFunction(s, 'F', { ...fnProps, runtime: lambda.Runtime.NODEJS_18_X }), { circuitIds: ['a'] }),
      /function Test\/F runs nodejs18\.x, which the extension layer does not support \(it supports nodejs20\.x, nodejs22\.x, nodejs24\.x[^)]*\)\. Fix: move the function to one of nodejs20\.x, nodejs22\.x, nodejs24\.x/,
    ],
  ];
  test.each(cases)('rejects %s with a message naming the fix', (_n, build, message) => {
    expect(() => build(newStack())).toThrow(message);
    expect(() => build(newStack())).toThrow(/^\[Test\/B\].*Fix: /);
  });
});

test('a metrics namespace under the reserved AWS/ prefix is refused; one beside it is accepted', () => {
  expect(() => new CircuitBreaker(newStack(), 'B', { metricsNamespace: 'AWS/Lambda' })).toThrow(/\(CircuitBreaker\.ReservedMetricsNamespace\)/);
  expect(() => new CircuitBreaker(newStack(), 'B', { metricsNamespace: 'AWSome/Lambda' })).not.toThrow();
});
