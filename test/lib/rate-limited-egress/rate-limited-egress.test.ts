import { Duration, SecretValue } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { PatternErrors } from '../../../lib/core/errors';
import { ServerlessPatternsChecks } from '../../../lib/nag';
import { EgressDeliveryPath, EgressHttpMethod, RateLimitedEgress, RateLimitedEgressProps } from '../../../lib/rate-limited-egress';
import { RATE_LIMITED_EGRESS_ENV as ENV } from '../../../lib/rate-limited-egress/contract';
import { newStack, onlyResource, template } from '../../support/cdk';

const PATTERN = { source: ['shop.orders'], detailType: ['OrderPlaced'] };

function buffered(overrides: Partial<RateLimitedEgressProps> = {}) {
  const stack = newStack();
  const egress = new RateLimitedEgress(stack, 'Partner', {
    deliveryPath: EgressDeliveryPath.BUFFERED,
    endpointUrl: 'https://partner.example.com/webhooks/orders',
    rateLimitPerSecond: 20,
    eventPattern: PATTERN,
    ...overrides,
  });
  return { stack, egress, t: template(stack) };
}

function problemIds(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    return PatternErrors.problemsOf(err).map((p) => p.id);
  }
  return [];
}

describe('BUFFERED', () => {
  test('the buffer drains through one event source mapping with maxConcurrency and partial batch responses', () => {
    const { t } = buffered({ maxConcurrency: 3 });
    const mapping = onlyResource(t, 'AWS::Lambda::EventSourceMapping');
    expect(mapping.Properties).toMatchObject({
      BatchSize: 10,
      ScalingConfig: { MaximumConcurrency: 3 },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  test('the buffer keeps events 4 days and dead-letters after 5 receives', () => {
    const { t, egress } = buffered();
    const queue = t.findResources('AWS::SQS::Queue', { Properties: { RedrivePolicy: Match.anyValue() } });
    const [buffer] = Object.values(queue) as any[];
    expect(buffer.Properties.MessageRetentionPeriod).toBe(4 * 86_400);
    expect(buffer.Properties.RedrivePolicy.maxReceiveCount).toBe(5);
    expect(egress.deadLetterQueue).toBe(egress.buffer!.deadLetterQueue);
  });

  test('the delivery function gets the partner settings, the limiter, the queue ARN and the breaker', () => {
    const { t, egress, stack } = buffered({ httpMethod: EgressHttpMethod.PUT, startTolerance: Duration.millis(80) });
    const fn = t.toJSON().Resources[stack.getLogicalId(egress.deliveryFunction!.node.defaultChild as lambda.CfnFunction)];
    const env = fn.Properties.Environment.Variables;
    expect(env).toMatchObject({
      [ENV.ENDPOINT_URL]: 'https://partner.example.com/webhooks/orders',
      [ENV.HTTP_METHOD]: 'PUT',
      [ENV.RATE_LIMIT_PER_SECOND]: '20',
      [ENV.START_TOLERANCE_MS]: '80',
      [ENV.LIMITER_ID]: egress.circuitId,
      CIRCUIT_BREAKER_CIRCUIT_IDS: egress.circuitId,
    });
    expect(env[ENV.BUFFER_QUEUE_ARN]).toBeDefined();
    expect(env[ENV.DEAD_LETTER_QUEUE_URL]).toBeDefined();
    expect(fn.Properties.Layers).toHaveLength(1);
  });

  test('the drain controller runs every minute and names the mapping it pauses', () => {
    const { t, egress, stack } = buffered();
    const controller = t.toJSON().Resources[stack.getLogicalId(egress.drainController!.node.defaultChild as lambda.CfnFunction)];
    const mappingId = stack.getLogicalId(egress.eventSourceMapping!.node.defaultChild as lambda.CfnEventSourceMapping);
    expect(controller.Properties.Environment.Variables[ENV.EVENT_SOURCE_MAPPING_ID]).toEqual({ Ref: mappingId });
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
  });

  test('pausing is allowed on this mapping only; the limiter on its one item only', () => {
    const { t, egress } = buffered();
    const policies = JSON.stringify(t.findResources('AWS::IAM::Policy'));
    expect(policies).toContain('lambda:UpdateEventSourceMapping');
    expect(policies).toContain('"lambda:ListEventSourceMappings"');
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'dynamodb:UpdateItem',
          Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [egress.circuitId] } },
        })]),
      },
    });
  });

  test('alarms cover the dead-letter queue, the oldest event, the circuit opening and the controller', () => {
    const { egress } = buffered();
    const descriptions = egress.alarms.map((a) => (a.node.defaultChild as any).alarmDescription as string);
    expect(descriptions.some((d) => /dead-letter queue holds/.test(d))).toBe(true);
    expect(descriptions.some((d) => /oldest message older/.test(d))).toBe(true);
    expect(descriptions.some((d) => /Circuit .* opened/.test(d))).toBe(true);
    expect(descriptions.some((d) => /drain controller/.test(d))).toBe(true);
  });

  test('metrics name the buffer queue, the dead-letter queue and the circuit', () => {
    const { egress, stack } = buffered();
    expect(stack.resolve(egress.metricOldestEventAge().metricName)).toBe('ApproximateAgeOfOldestMessage');
    expect(egress.metricDeadLetteredEvents().metricName).toBe('ApproximateNumberOfMessagesVisible');
    expect(egress.metricCircuitOpened().dimensions).toEqual({ CircuitId: egress.circuitId });
    expect(egress.metricFailedInvocations({ period: Duration.minutes(1) }).period.toMinutes()).toBe(1);
  });

  test.each<[string, Partial<RateLimitedEgressProps>, string]>([
    ['plain http', { endpointUrl: 'http://partner.example.com' }, 'RateLimitedEgress.Endpoint'],
    ['no rate', { rateLimitPerSecond: 0 }, 'RateLimitedEgress.RateLimit'],
    ['fractional rate', { rateLimitPerSecond: 2.5 }, 'RateLimitedEgress.RateLimit'],
    ['retention below the outage tolerance', { outageTolerance: Duration.days(5) }, 'RateLimitedEgress.RetentionBelowOutageTolerance'],
    ['more concurrency than the rate can serve', { maxConcurrency: 50, rateLimitPerSecond: 5 }, 'RateLimitedEgress.ConcurrencyAboveRate'],
    ['429 as permanent', { permanentStatuses: [400, 429] }, 'RateLimitedEgress.PermanentStatuses'],
    ['a managed-only option', { retryAttempts: 3 }, 'RateLimitedEgress.ManagedOnlyOption'],
    ['maxReceiveCount 2', { queueProps: { maxReceiveCount: 2 } }, 'RateLimitedEgress.MaxReceiveCount'],
    ['maxConcurrency 1', { maxConcurrency: 1 }, 'Consumer.MaxConcurrency'],
  ])('rejects %s', (_name, overrides, id) => {
    expect(problemIds(() => buffered(overrides))).toContain(id);
  });
});

describe('MANAGED', () => {
  function managed(overrides: Partial<RateLimitedEgressProps> = {}, stack = newStack()) {
    const secret = new secretsmanager.Secret(stack, 'PartnerKey');
    const egress = new RateLimitedEgress(stack, 'Partner', {
      deliveryPath: EgressDeliveryPath.MANAGED,
      endpointUrl: 'https://partner.example.com/webhooks/orders',
      rateLimitPerSecond: 20,
      eventPattern: PATTERN,
      authorization: events.Authorization.apiKey('x-api-key', secret.secretValue),
      ...overrides,
    });
    return { stack, egress, t: template(stack) };
  }

  test('an API destination at the stated rate, retries bounded by attempts and age, a target dead-letter queue', () => {
    const { t } = managed({ retryAttempts: 8, outageTolerance: Duration.hours(2) });
    t.hasResourceProperties('AWS::Events::ApiDestination', {
      InvocationEndpoint: 'https://partner.example.com/webhooks/orders',
      HttpMethod: 'POST',
      InvocationRateLimitPerSecond: 20,
    });
    t.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({
        RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7_200 },
        DeadLetterConfig: { Arn: Match.anyValue() },
      })],
    });
  });

  test('the API key stays a Secrets Manager reference in the template', () => {
    const { t } = managed();
    const connection = onlyResource(t, 'AWS::Events::Connection');
    expect(JSON.stringify(connection.Properties.AuthParameters)).toContain('{{resolve:secretsmanager:');
  });

  test('the input transformation shapes the request body', () => {
    const { t } = managed({ inputTransformation: events.RuleTargetInput.fromObject({ orderId: events.EventField.fromPath('$.detail.orderId') }) });
    t.hasResourceProperties('AWS::Events::Rule', {
      Targets: [Match.objectLike({ InputTransformer: Match.objectLike({ InputPathsMap: { 'detail-orderId': '$.detail.orderId' } }) })],
    });
  });

  test('alarms on the dead-letter queue and failed invocations', () => {
    const { egress } = managed();
    expect(egress.alarms).toHaveLength(3);
  });

  test.each<[string, Partial<RateLimitedEgressProps>, string]>([
    ['a plain-text API key', { authorization: events.Authorization.apiKey('x-api-key', SecretValue.unsafePlainText('k')) }, 'RateLimitedEgress.SecretInTemplate'],
    ['a plain-text Basic password', { authorization: events.Authorization.basic('user', SecretValue.unsafePlainText('p')) }, 'RateLimitedEgress.SecretInTemplate'],
    ['no authorization', { authorization: undefined }, 'RateLimitedEgress.ManagedAuthorization'],
    ['186 retries', { retryAttempts: 186 }, 'RateLimitedEgress.RetryAttempts'],
    ['an outage tolerance above 24 h', { outageTolerance: Duration.hours(25) }, 'RateLimitedEgress.ManagedOutageTolerance'],
    ['101 headers', {
      headerParameters: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`h${i}`, events.HttpParameter.fromString('v')])),
    }, 'RateLimitedEgress.ConnectionParameters'],
    ['a buffered-only option', { maxConcurrency: 5 }, 'RateLimitedEgress.BufferedOnlyOption'],
  ])('rejects %s', (_name, overrides, id) => {
    expect(problemIds(() => managed(overrides))).toContain(id);
  });

  test('a customer managed key encrypts the connection and is tagged as EventBridge requires', () => {
    const stack = newStack();
    const key = new kms.Key(stack, 'ConnectionKey');
    const { t } = managed({ encryptionKey: key }, stack);
    t.hasResourceProperties('AWS::Events::Connection', { KmsKeyIdentifier: stack.resolve(key.keyArn) });
    t.hasResourceProperties('AWS::KMS::Key', { Tags: Match.arrayWith([{ Key: 'EventBridgeApiDestinations', Value: 'true' }]) });
  });

  test('the MANAGED path passes the API destination rules of the pack (SPC-EVB4, SPC-EVB5, SPC-EVB6)', () => {
    const { stack } = managed();
    const stackWithKey = newStack();
    new secretsmanager.Secret(stackWithKey, 'OnCmk', { encryptionKey: new kms.Key(stackWithKey, 'SecretKey') });
    managed({ encryptionKey: new kms.Key(stackWithKey, 'ConnectionKey') }, stackWithKey);
    const ids = ['SPC-EVB4', 'SPC-EVB5', 'SPC-EVB6'];
    for (const s of [stack, stackWithKey]) {
      const report = new ServerlessPatternsChecks().validateScope(s);
      expect(report.violations.map((v) => v.ruleName).filter((r) => ids.some((id) => r.startsWith(id)))).toEqual([]);
    }
  });
});

describe('limits at their boundaries, each refusal naming its fix', () => {
  const BASE: RateLimitedEgressProps = {
    deliveryPath: EgressDeliveryPath.MANAGED,
    endpointUrl: 'https://partner.example.com/webhooks/orders',
    rateLimitPerSecond: 20,
    eventPattern: PATTERN,
    authorization: events.Authorization.apiKey('x-api-key', SecretValue.secretsManager('partner/api-key')),
  };
  function problemsOf(overrides: Partial<RateLimitedEgressProps>) {
    try {
      new RateLimitedEgress(newStack(), 'Partner', { ...BASE, ...overrides });
    } catch (err) {
      if (!PatternErrors.isPatternValidationError(err)) throw err;
      return PatternErrors.problemsOf(err);
    }
    return [];
  }
  const params = (n: number, key = (i: number) => `k${i}`, value = 'v') =>
    Object.fromEntries(Array.from({ length: n }, (_, i) => [key(i), events.HttpParameter.fromString(value)]));
  const buf = { deliveryPath: EgressDeliveryPath.BUFFERED, authorization: undefined };

  test.each<[string, Partial<RateLimitedEgressProps>, Partial<RateLimitedEgressProps>, string, RegExp]>([
    ['rate limit', { rateLimitPerSecond: 1 }, { rateLimitPerSecond: 0 }, 'RateLimitedEgress.RateLimit', /1 or more/],
    ['retry attempts (low)', { retryAttempts: 0 }, { retryAttempts: -1 }, 'RateLimitedEgress.RetryAttempts', /from 0 to 185/],
    ['retry attempts (high)', { retryAttempts: 185 }, { retryAttempts: 186 }, 'RateLimitedEgress.RetryAttempts', /from 0 to 185/],
    ['maximum event age (low)', { outageTolerance: Duration.seconds(60) }, { outageTolerance: Duration.seconds(59) }, 'RateLimitedEgress.ManagedOutageTolerance', /at most 24 hours/],
    ['maximum event age (high)', { outageTolerance: Duration.seconds(86_400) }, { outageTolerance: Duration.seconds(86_401) }, 'RateLimitedEgress.ManagedOutageTolerance', /BUFFERED/],
    ['endpoint scheme', { endpointUrl: 'https://p.example.com/x' }, { endpointUrl: 'http://p.example.com/x' }, 'RateLimitedEgress.Endpoint', /HTTPS endpoint/],
    ['endpoint length', { endpointUrl: `https://p.example.com/${'a'.repeat(2_048 - 22)}` },
      { endpointUrl: `https://p.example.com/${'a'.repeat(2_049 - 22)}` }, 'RateLimitedEgress.Endpoint', /HTTPS endpoint/],
    ['header count', { headerParameters: params(100) }, { headerParameters: params(101) }, 'RateLimitedEgress.ConnectionParameters', /fewer parameters/],
    ['query count', { queryStringParameters: params(100) }, { queryStringParameters: params(101) }, 'RateLimitedEgress.ConnectionParameters', /fewer parameters/],
    ['body count', { bodyParameters: params(100) }, { bodyParameters: params(101) }, 'RateLimitedEgress.ConnectionParameters', /fewer parameters/],
    ['header key length', { headerParameters: params(1, () => 'h'.repeat(512)) }, { headerParameters: params(1, () => 'h'.repeat(513)) },
      'RateLimitedEgress.ConnectionParameterKey', /HTTP header name/],
    ['header key characters', { headerParameters: params(1, () => 'x-partner_id.v2') }, { headerParameters: params(1, () => 'x partner') },
      'RateLimitedEgress.ConnectionParameterKey', /HTTP header name/],
    ['header value length', { headerParameters: params(1, undefined, 'v'.repeat(512)) }, { headerParameters: params(1, undefined, 'v'.repeat(513)) },
      'RateLimitedEgress.ConnectionParameterValue', /shorten the value/],
    ['header value characters', { headerParameters: params(1, undefined, 'a b\tc') }, { headerParameters: params(1, undefined, 'caf\u00e9') },
      'RateLimitedEgress.ConnectionParameterValue', /printable ASCII/],
    ['query value characters', { queryStringParameters: params(1, undefined, 'caf\u00e9 & more') },
      { queryStringParameters: params(1, undefined, 'a\u0001b') }, 'RateLimitedEgress.ConnectionParameterValue', /control characters/],
    ['buffered rate limit', { ...buf, rateLimitPerSecond: 1, maxConcurrency: 2, batchSize: 5 }, { ...buf, rateLimitPerSecond: 0 }, 'RateLimitedEgress.RateLimit', /1 or more/],
    ['buffered endpoint scheme', { ...buf, probeUrl: 'https://p.example.com/health' }, { ...buf, probeUrl: 'http://p.example.com/health' },
      'RateLimitedEgress.Endpoint', /HTTPS endpoint/],
    ['method', { httpMethod: EgressHttpMethod.PATCH }, { httpMethod: 'GET' as EgressHttpMethod }, 'RateLimitedEgress.HttpMethod', /POST, PUT or PATCH/],
    ['buffered method', { ...buf, httpMethod: EgressHttpMethod.PUT }, { ...buf, httpMethod: 'DELETE' as EgressHttpMethod }, 'RateLimitedEgress.HttpMethod', /POST, PUT or PATCH/],
  ])('%s: accepted at the boundary, refused one step past it', (_name, ok, bad, id, fix) => {
    expect(problemsOf(ok)).toEqual([]);
    const refused = problemsOf(bad).filter((p) => p.id === id);
    expect(refused).toHaveLength(1);
    expect(refused[0].fix).toMatch(fix);
  });

  test('a secret header value is resolved at deploy time and not judged', () => {
    expect(problemsOf({ headerParameters: { 'x-partner-token': events.HttpParameter.fromSecret(SecretValue.secretsManager('partner/token')) } })).toEqual([]);
  });
});
