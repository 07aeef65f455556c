import { Duration, SecretValue } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { PatternErrors } from '../../../lib/core/errors';
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
  function managed(overrides: Partial<RateLimitedEgressProps> = {}) {
    const stack = newStack();
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
});
