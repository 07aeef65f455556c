import { Duration, Names, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { LIMITER_TABLE_SHAPE, RATE_LIMITED_EGRESS_DEFAULTS, RATE_LIMITED_EGRESS_ENV as ENV } from './contract';
import { checkConnection } from './private/connection-checks';
import { validateEgress } from './private/validation';
import { EgressDeliveryPath, EgressHttpMethod, RateLimitedEgressProps } from './props';
import { BufferedEventConsumer } from '../buffered-consumer/buffered-event-consumer';
import { BufferedEventInput } from '../buffered-consumer/contract';
import { CircuitBreaker } from '../circuit-breaker/circuit-breaker';
import { PatternFunction } from '../core/pattern-function';
import { AlarmFactory } from '../core/private/alarm-factory';
import { bundledHandlerCode } from '../core/private/assets';
import { EVENTBRIDGE } from '../core/private/limits';
import { ruleMetric } from '../core/private/rule-metrics';
import { createTtlTable } from '../core/private/ttl-table';
import { Problems } from '../core/private/validation';
import { SecureQueue } from '../core/secure-queue';

/** How long the drain controller watches an open circuit per run, and the room its timeout keeps beyond that. */
const CONTROLLER_TIMEOUT = Duration.seconds(RATE_LIMITED_EGRESS_DEFAULTS.controllerWatchMs / 1000 + 40);

/**
 * Delivers events to a partner's HTTP API at the rate it allows and survives its outages without a retry storm or a
 * dead-letter flood. Two paths, chosen with `deliveryPath`:
 *
 * - MANAGED: an EventBridge rule → API destination (connection with API key, Basic or OAuth credentials from Secrets
 *   Manager), `InvocationRateLimitPerSecond`, a bounded retry policy, a target dead-letter queue with alarms, and an
 *   input transformation. EventBridge applies the rate limit on a best-effort basis.
 * - BUFFERED: the rule fills an SQS buffer (a {@link BufferedEventConsumer}) drained by a delivery function with
 *   event-source `maxConcurrency`. Every request waits for a send slot from a schedule shared in DynamoDB, so the
 *   whole fleet stays at or below `rateLimitPerSecond`; it carries an idempotency key and is guarded by a
 *   {@link CircuitBreaker}. When the circuit opens, the buffer's event source is disabled, so waiting events are not
 *   received (and do not use up `maxReceiveCount`); a scheduled drain controller sends the single probe when the
 *   open period ends and enables the event source again once the circuit closes.
 */
export class RateLimitedEgress extends Construct {
  /** The rule that selects the events. */
  public readonly rule: events.Rule;
  /** The bus the rule listens on. */
  public readonly eventBus: events.IEventBus;
  /** Every alarm this construct (and the buffer and breaker it created) made. */
  public readonly alarms: cloudwatch.IAlarm[];
  /** BUFFERED: the buffer (queue, dead-letter queues, delivery function). */
  public readonly buffer?: BufferedEventConsumer;
  /** BUFFERED: the function that delivers to the partner. */
  public readonly deliveryFunction?: lambda.IFunction;
  /** BUFFERED: the scheduled function that pauses, probes and resumes. */
  public readonly drainController?: PatternFunction;
  /** BUFFERED: the breaker guarding the partner. */
  public readonly circuitBreaker?: CircuitBreaker;
  /** BUFFERED: the partner's circuit id. */
  public readonly circuitId?: string;
  /** BUFFERED: the table holding the fleet-wide send schedule. */
  public readonly limiterTable?: dynamodb.TableV2;
  /** BUFFERED: the buffer's event source mapping (disabled while the circuit is open). */
  public readonly eventSourceMapping?: lambda.EventSourceMapping;
  /** MANAGED: the connection (its credentials stay in the Secrets Manager secret EventBridge manages). */
  public readonly connection?: events.Connection;
  /** MANAGED: the API destination. */
  public readonly apiDestination?: events.ApiDestination;
  /**
   * Where events that could not be delivered end up: the buffer's dead-letter queue (BUFFERED: permanent 4xx and
   * exhausted receives), or the rule target's dead-letter queue (MANAGED: retries exhausted or event too old).
   */
  public readonly deadLetterQueue: sqs.IQueue;
  private readonly customBus?: events.IEventBus;

  constructor(scope: Construct, id: string, props: RateLimitedEgressProps) {
    super(scope, id);
    const problems = new Problems(this);
    validateEgress(problems, this, props);
    problems.throwIfAny();
    this.customBus = props.eventBus ?? (props.eventBusProps ? new events.EventBus(this, 'Bus', props.eventBusProps) : undefined);
    if (props.deliveryPath === EgressDeliveryPath.MANAGED) {
      const alarms = new AlarmFactory(props);
      this.eventBus = this.customBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
      this.rule = new events.Rule(this, 'Rule', { eventBus: this.customBus, eventPattern: props.eventPattern });
      this.connection = new events.Connection(this, 'Connection', {
        authorization: props.authorization!,
        headerParameters: props.headerParameters,
        queryStringParameters: props.queryStringParameters,
        bodyParameters: props.bodyParameters,
        description: `${id}: partner credentials (kept by EventBridge in Secrets Manager)`,
      });
      checkConnection(this, this.connection);
      if (props.encryptionKey) this.encryptConnection(props.encryptionKey);
      this.apiDestination = new events.ApiDestination(this, 'ApiDestination', {
        connection: this.connection,
        endpoint: props.endpointUrl,
        httpMethod: httpMethodOf(props.httpMethod),
        // Best effort, per API destination, not a fleet-wide ceiling: see the README.
        rateLimitPerSecond: props.rateLimitPerSecond,
      });
      this.deadLetterQueue = new SecureQueue(this, 'TargetDeadLetterQueue', { isDeadLetterQueueOnly: true }).queue;
      this.rule.addTarget(new targets.ApiDestination(this.apiDestination, {
        event: props.inputTransformation,
        deadLetterQueue: this.deadLetterQueue,
        retryAttempts: props.retryAttempts ?? EVENTBRIDGE.retryAttempts.max,
        maxEventAge: props.outageTolerance ?? Duration.seconds(EVENTBRIDGE.maxEventAgeSeconds.max),
      }));
      alarms.deadLetterQueueDepth(this, 'TargetDeadLetterQueueAlarm', this.deadLetterQueue, `${id} API destination dead-letter queue`);
      alarms.threshold(this, 'FailedInvocationsAlarm', {
        description: `${id}: EventBridge failed to deliver events to the partner (retries continue until the event is too old)`,
        metric: this.metricFailedInvocations(),
        threshold: 1,
      });
      alarms.threshold(this, 'DeadLetterFailuresAlarm', {
        description: `${id}: EventBridge could not put undeliverable events in the dead-letter queue (they are lost)`,
        metric: ruleMetric(this.rule, this.customBus, 'InvocationsFailedToBeSentToDlq'),
        threshold: 1,
      });
      this.alarms = alarms.alarms;
      return;
    }

    const input = props.input ?? BufferedEventInput.WHOLE_EVENT;
    this.circuitBreaker = props.circuitBreaker ?? new CircuitBreaker(this, 'CircuitBreaker', { ...props.circuitBreakerProps, alarmAction: props.alarmAction });
    this.circuitId = props.circuitId ?? Names.uniqueId(this).slice(-128);
    const limiterId = this.circuitId;
    this.limiterTable = createTtlTable(this, 'LimiterTable', {
      partitionKey: LIMITER_TABLE_SHAPE.partitionKey,
      timeToLiveAttribute: LIMITER_TABLE_SHAPE.timeToLiveAttribute,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.DESTROY,
    });
    const shared: Record<string, string> = {
      [ENV.ENDPOINT_URL]: props.endpointUrl,
      [ENV.HTTP_METHOD]: props.httpMethod ?? EgressHttpMethod.POST,
      [ENV.RATE_LIMIT_PER_SECOND]: String(props.rateLimitPerSecond),
      [ENV.LIMITER_TABLE_NAME]: this.limiterTable.tableName,
      [ENV.LIMITER_ID]: limiterId,
      ...(props.startTolerance ? { [ENV.START_TOLERANCE_MS]: String(props.startTolerance.toMilliseconds()) } : {}),
      ...(props.probeUrl ? { [ENV.PROBE_URL]: props.probeUrl } : {}),
      ...(props.apiKeySecret ? { [ENV.API_KEY_SECRET_ID]: props.apiKeySecret.secretArn } : {}),
      ...(props.apiKeyHeaderName ? { [ENV.API_KEY_HEADER]: props.apiKeyHeaderName } : {}),
    };
    const buffer = new BufferedEventConsumer(this, 'Buffer', {
      eventBus: this.customBus,
      eventPattern: props.eventPattern,
      input,
      batchSize: props.batchSize ?? 10,
      maxConcurrency: props.maxConcurrency ?? 2,
      queueProps: { ...props.queueProps, maxReceiveCount: props.queueProps?.maxReceiveCount ?? RATE_LIMITED_EGRESS_DEFAULTS.maxReceiveCount },
      alarmAction: props.alarmAction,
      maxMessageAge: props.maxMessageAge,
      consumerProps: {
        timeout: Duration.seconds(30),
        description: `${id}: delivers buffered events to the partner at its rate`,
        ...props.deliveryFunctionOptions,
        environment: {
          ...props.deliveryFunctionOptions?.environment,
          ...shared,
          ...(props.idempotencyHeaderName ? { [ENV.IDEMPOTENCY_HEADER]: props.idempotencyHeaderName } : {}),
          ...(props.permanentStatuses ? { [ENV.PERMANENT_STATUSES]: props.permanentStatuses.join(',') } : {}),
        },
        code: bundledHandlerCode('rate-limited-egress-delivery'),
        handler: 'index.handler',
      },
    });
    this.buffer = buffer;
    this.rule = buffer.rule;
    this.eventBus = buffer.eventBus;
    this.deadLetterQueue = buffer.deadLetterQueue!;
    const delivery = buffer.consumer as lambda.Function;
    this.deliveryFunction = delivery;
    this.eventSourceMapping = delivery.node.findChild(`SqsEventSource:${Names.nodeUniqueId(buffer.queue.node)}`) as lambda.EventSourceMapping;
    delivery.addEnvironment(ENV.BUFFER_QUEUE_ARN, buffer.queue.queueArn);
    delivery.addEnvironment(ENV.DEAD_LETTER_QUEUE_URL, this.deadLetterQueue.queueUrl);
    this.deadLetterQueue.grantSendMessages(delivery);
    this.circuitBreaker.protect(delivery, { circuitIds: [this.circuitId] });

    this.drainController = new PatternFunction(this, 'DrainController', {
      code: bundledHandlerCode('rate-limited-egress-controller'),
      handler: 'index.handler',
      description: `${id}: pauses the buffer while the partner's circuit is open, probes, resumes`,
      timeout: CONTROLLER_TIMEOUT,
      invokedAsynchronously: true,
      // A missed run is replaced by the next one a minute later.
      retryAttempts: 0,
      alarmAction: props.alarmAction,
      environment: { ...shared, [ENV.EVENT_SOURCE_MAPPING_ID]: this.eventSourceMapping.eventSourceMappingId },
    });
    this.circuitBreaker.protect(this.drainController, { circuitIds: [this.circuitId] });
    const schedule = new events.Rule(this, 'DrainControllerSchedule', {
      schedule: events.Schedule.rate(Duration.minutes(1)),
      description: `${id}: runs the drain controller`,
    });
    const scheduleDeadLetterQueue = new SecureQueue(this, 'DrainControllerScheduleDeadLetterQueue', { isDeadLetterQueueOnly: true }).queue;
    schedule.addTarget(new targets.LambdaFunction(this.drainController, {
      retryAttempts: 0,
      maxEventAge: Duration.minutes(2),
      deadLetterQueue: scheduleDeadLetterQueue,
    }));

    this.grantEgressRuntime(delivery, limiterId, props);
    this.grantEgressRuntime(this.drainController, limiterId, props);
    this.grantMappingControl(delivery, true);
    this.grantMappingControl(this.drainController, false);

    const alarms = new AlarmFactory(props);
    alarms.adopt(this.drainController.onFailureAlarm as cloudwatch.Alarm);
    alarms.deadLetterQueueDepth(this, 'DrainControllerScheduleDeadLetterAlarm', scheduleDeadLetterQueue, `${id} drain controller schedule dead-letter queue`);
    alarms.threshold(this, 'DrainControllerScheduleFailedAlarm', {
      description: `${id}: EventBridge failed to invoke the drain controller: a paused buffer would not resume`,
      metric: ruleMetric(schedule, undefined, 'FailedInvocations'),
      threshold: 1,
    });
    this.alarms = [...buffer.alarms, ...(props.circuitBreaker ? [] : this.circuitBreaker.alarms), ...alarms.alarms];
  }

  /**
   * Age of the oldest event waiting (BUFFERED: the buffer queue), seconds; grows while the circuit is open.
   * MANAGED has no queue: use {@link metricFailedInvocations}.
   */
  public metricOldestEventAge(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    if (!this.buffer) throw new Error(`${this.node.path}: metricOldestEventAge applies to the BUFFERED path only`);
    return this.buffer.queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum', ...props });
  }

  /** Events in the dead-letter queue (either path). */
  public metricDeadLetteredEvents(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', ...props });
  }

  /** Rule invocations that failed (MANAGED: partner deliveries; BUFFERED: sends to the buffer), 5-minute sums. */
  public metricFailedInvocations(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return ruleMetric(this.rule, this.customBus, 'FailedInvocations').with(props);
  }

  /** BUFFERED: times the partner's circuit opened (each pauses the buffer), 1-minute sums. */
  public metricCircuitOpened(props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    if (!this.circuitBreaker || !this.circuitId) throw new Error(`${this.node.path}: metricCircuitOpened applies to the BUFFERED path only`);
    return this.circuitBreaker.metricCircuitOpened(this.circuitId, props);
  }

  /**
   * Encrypts the connection's credentials with `key`, tagged as EventBridge requires
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-connections.html).
   */
  private encryptConnection(key: kms.IKey): void {
    const cfn = this.connection!.node.findAll().find((c): c is events.CfnConnection => c instanceof events.CfnConnection)!;
    cfn.kmsKeyIdentifier = key.keyArn;
    // Set on the L1 at once (not through an aspect), so checks that run before synthesis see it too.
    if (key.node.defaultChild instanceof kms.CfnKey) key.node.defaultChild.tags.setTag('EventBridgeApiDestinations', 'true');
  }

  /** UpdateItem on the partner's limiter item only, and the API key secret. */
  private grantEgressRuntime(fn: lambda.IFunction, limiterId: string, props: RateLimitedEgressProps): void {
    fn.addToRolePolicy(new iam.PolicyStatement({
      actions: ['dynamodb:UpdateItem'],
      resources: [this.limiterTable!.tableArn],
      conditions: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [limiterId] } },
    }));
    props.apiKeySecret?.grantRead(fn);
  }

  /**
   * Get/UpdateEventSourceMapping on the buffer's mapping. The delivery function's grant sits in a policy of its own:
   * the mapping is created after the function, so the function's default policy cannot name it (a cycle); the
   * delivery function finds its mapping with ListEventSourceMappings, which has no resource-level permissions.
   */
  private grantMappingControl(fn: lambda.Function, separatePolicy: boolean): void {
    const onMapping = new iam.PolicyStatement({
      actions: ['lambda:GetEventSourceMapping', 'lambda:UpdateEventSourceMapping'],
      resources: [this.eventSourceMapping!.eventSourceMappingArn],
    });
    if (!separatePolicy) {
      fn.addToRolePolicy(onMapping);
      return;
    }
    const policy = new iam.Policy(this, 'DeliveryMappingControl', {
      statements: [onMapping, new iam.PolicyStatement({ actions: ['lambda:ListEventSourceMappings'], resources: ['*'] })],
    });
    policy.attachToRole(fn.role!);
    Validations.of(policy).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason: 'lambda:ListEventSourceMappings supports no resource-level permissions (Service Authorization Reference, AWS Lambda); ' +
        'it only lists mappings. Pausing and resuming are allowed on this buffer\'s mapping only.',
    });
  }
}

function httpMethodOf(method: EgressHttpMethod | undefined): events.HttpMethod {
  switch (method ?? EgressHttpMethod.POST) {
    case EgressHttpMethod.PUT: return events.HttpMethod.PUT;
    case EgressHttpMethod.PATCH: return events.HttpMethod.PATCH;
    default: return events.HttpMethod.POST;
  }
}
