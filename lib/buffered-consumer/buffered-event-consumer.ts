import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { BUFFERED_CONSUMER_ENV, BufferedEventInput, FIFO_INGEST_BODY_FIELD } from './contract';
import { IdempotencyTable } from './idempotency-table';
import { FifoIngest } from './private/fifo-ingest';
import { validateBufferedConsumer } from './private/validation';
import { QueueAlarmOptions } from '../core/alarms';
import { PatternFunction, PatternFunctionProps } from '../core/pattern-function';
import { AlarmFactory, oldestMessageAgeMetric, visibleMessagesMetric } from '../core/private/alarm-factory';
import { registerDeduplicatingConsumer } from '../core/private/duplicate-windows';
import { addQueueConsumer } from '../core/private/event-source';
import { checkExistingQueue } from '../core/private/existing-queue';
import { EVENTBRIDGE } from '../core/private/limits';
import { pipeStateMetric, watchPipeState } from '../core/private/pipe-state-watch';
import { claimQueue } from '../core/private/queue-claims';
import { ruleMetric } from '../core/private/rule-metrics';
import { Problems, warn } from '../core/private/validation';
import { consumerQueueVisibilityTimeout } from '../core/private/visibility';
import { QueueConsumerOptions } from '../core/queue-consumer';
import { SecureQueue, SecureQueueProps } from '../core/secure-queue';

/** Properties of a {@link BufferedEventConsumer}. */
export interface BufferedEventConsumerProps extends QueueConsumerOptions, QueueAlarmOptions {
  /**
   * The bus the rule listens on. Give either this or `eventBusProps`.
   * @default - the account's default event bus
   */
  readonly eventBus?: events.IEventBus;
  /**
   * Creates a new bus for the rule with these props (exposed as `eventBus`).
   * @default - `eventBus`, or the account's default event bus
   */
  readonly eventBusProps?: events.EventBusProps;
  /** Which events to buffer. Required: a rule without a pattern would buffer everything on the bus. */
  readonly eventPattern: events.EventPattern;
  /**
   * Rule description.
   * @default - none
   */
  readonly ruleDescription?: string;
  /**
   * What the rule puts on the queue.
   * @default BufferedEventInput.WHOLE_EVENT
   */
  readonly input?: BufferedEventInput;
  /**
   * Buffer in a FIFO queue, with a message group per event taken from `messageGroupIdPath`: events of one group are
   * processed one at a time, in the order they reached the buffer, and each event id is delivered once within SQS's
   * 5-minute deduplication window. A rule target can only give a FIFO queue one fixed group, so the rule sends to a
   * standard ingest queue and an EventBridge Pipe moves each event into the FIFO queue with its group.
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * JSON path of the event field used as FIFO message group id, e.g. `$.detail.orderId`. With
   * `input: BufferedEventInput.DETAIL` it must point inside `$.detail`. Only with `fifo: true`.
   * @default - none (required with fifo)
   */
  readonly messageGroupIdPath?: string;
  /**
   * How often EventBridge retries delivery to the queue before the event goes to the target dead-letter queue.
   * @default 185 (the service maximum)
   */
  readonly retryAttempts?: number;
  /**
   * How long EventBridge keeps retrying an event.
   * @default Duration.hours(24) (the service maximum)
   */
  readonly maxEventAge?: Duration;
  /**
   * The consumer function. Exactly one of `consumer` and `consumerProps`.
   * @default - one is created from `consumerProps`
   */
  readonly consumer?: lambda.IFunction;
  /**
   * Creates the consumer as a {@link PatternFunction} with these props.
   * @default - `consumer` is used
   */
  readonly consumerProps?: PatternFunctionProps;
  /**
   * An existing queue to buffer in, instead of a new one. It must not be consumed by anything else. A queue defined
   * in your app must have a dead-letter queue of its kind (`maxReceiveCount` at least 2) and a visibility timeout of
   * at least 6 × the consumer timeout; it gets the same alarms. An imported queue cannot be checked: you get a synth
   * warning.
   * @default - a new queue with a dead-letter queue
   */
  readonly queue?: sqs.IQueue;
  /**
   * Settings of the queue the construct creates.
   * @default - SecureQueue defaults, visibility timeout derived from the consumer
   */
  readonly queueProps?: SecureQueueProps;
  /**
   * Idempotency store for the consumer: the consumer gets exactly Get/Put/Update/DeleteItem on it and the
   * `IDEMPOTENCY_TABLE_NAME` environment variable.
   * @default - none
   */
  readonly idempotencyTable?: IdempotencyTable;
}

/**
 * EventBridge rule → SQS buffer → Lambda consumer with flow control.
 *
 * EventBridge retries a failing target for at most 24 hours and, when the target recovers, delivers the backlog as
 * fast as it can. Buffering in SQS decouples the two: the queue keeps events for days, and the consumer drains it
 * at a bounded rate (`maxConcurrency`), so a recovering downstream is not flooded. Every hop has a dead-letter
 * queue: the rule target (events EventBridge could not deliver) and the queue (records the consumer kept failing).
 */
export class BufferedEventConsumer extends Construct {
  /** The bus the rule listens on. */
  public readonly eventBus: events.IEventBus;
  /** The rule. */
  public readonly rule: events.Rule;
  /**
   * With `fifo`: the standard queue the rule sends to. A rule target can only give a FIFO queue one fixed message
   * group, so an EventBridge Pipe moves each event from here into the FIFO buffer with its own group.
   */
  public readonly ingestQueue?: sqs.IQueue;
  /** With `fifo`: where events the pipe could not move into the buffer end up. */
  public readonly ingestDeadLetterQueue?: sqs.IQueue;
  /** With `fifo`: the pipe that sets each event's message group. */
  public readonly ingestPipe?: pipes.CfnPipe;
  /** The buffer queue. */
  public readonly queue: sqs.IQueue;
  /** The buffer queue's dead-letter queue (undefined for an imported queue). */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** Where EventBridge puts events it could not deliver to the queue. */
  public readonly targetDeadLetterQueue: sqs.IQueue;
  /** The consumer. */
  public readonly consumer: lambda.IFunction;
  /** Every alarm this construct created. */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: BufferedEventConsumerProps) {
    super(scope, id);
    const problems = new Problems(this);
    validateBufferedConsumer(problems, this, props);
    problems.throwIfAny();
    const fifo = props.fifo ?? false;
    const input = props.input ?? BufferedEventInput.WHOLE_EVENT;
    const alarms = new AlarmFactory(props);

    this.consumer = props.consumer ?? new PatternFunction(this, 'Consumer', props.consumerProps!);
    if (props.queue) {
      this.queue = props.queue;
      this.deadLetterQueue = checkExistingQueue(problems, this, props.queue, this.consumer, props);
      problems.throwIfAny();
    } else {
      const visibilityTimeout = consumerQueueVisibilityTimeout(problems, this.consumer, props, props.queueProps?.visibilityTimeout);
      problems.throwIfAny();
      // FIFO: the pipe sets a deduplication id per event, so SQS need not derive one from the body.
      const owned = new SecureQueue(this, 'Buffer', { ...props.queueProps, fifo, visibilityTimeout });
      this.queue = owned.queue;
      this.deadLetterQueue = owned.deadLetterQueue;
    }
    claimQueue(problems, this, this.queue);
    problems.throwIfAny();

    let fifoIngest: FifoIngest | undefined;
    if (fifo) {
      fifoIngest = new FifoIngest(this, 'FifoIngest', {
        target: this.queue,
        input,
        messageGroupIdPath: props.messageGroupIdPath!,
      });
      this.ingestQueue = fifoIngest.queue;
      this.ingestDeadLetterQueue = fifoIngest.deadLetterQueue;
      this.ingestPipe = fifoIngest.pipe;
    }
    // Only the rule's own target queue needs EventBridge's permission (with FIFO, the ingest queue).
    const ruleTargetQueue = fifoIngest?.queue ?? this.queue;

    // EventBridge target dead-letter queues must be standard queues.
    this.targetDeadLetterQueue = new SecureQueue(this, 'TargetDeadLetterQueue', { isDeadLetterQueueOnly: true }).queue;

    const customBus = props.eventBus ?? (props.eventBusProps ? new events.EventBus(this, 'Bus', props.eventBusProps) : undefined);
    this.eventBus = customBus ?? events.EventBus.fromEventBusName(this, 'DefaultBus', 'default');
    this.rule = new events.Rule(this, 'Rule', {
      eventBus: customBus,
      eventPattern: props.eventPattern,
      description: props.ruleDescription,
    });
    // SqsQueue adds the queue policies that let only this rule (aws:SourceArn) send to the queue and the DLQ.
    this.rule.addTarget(
      new targets.SqsQueue(ruleTargetQueue, {
        message: input === BufferedEventInput.DETAIL
          ? events.RuleTargetInput.fromEventPath('$.detail')
          : undefined,
        deadLetterQueue: this.targetDeadLetterQueue,
        retryAttempts: props.retryAttempts ?? EVENTBRIDGE.retryAttempts.max,
        maxEventAge: props.maxEventAge ?? Duration.seconds(EVENTBRIDGE.maxEventAgeSeconds.max),
      }),
    );

    addQueueConsumer(this.queue, this.consumer, props);
    // The runtime helper parses the body the way the rule target shapes it.
    const consumerEnv: Record<string, string> = { [BUFFERED_CONSUMER_ENV.EVENT_INPUT]: input };
    if (fifo) consumerEnv[BUFFERED_CONSUMER_ENV.BODY_FIELD] = FIFO_INGEST_BODY_FIELD;
    if (this.consumer instanceof lambda.Function) {
      for (const [name, value] of Object.entries(consumerEnv)) this.consumer.addEnvironment(name, value);
    } else {
      const settings = Object.entries(consumerEnv).map(([name, value]) => `${name}=${value}`).join(' and ');
      warn(this, 'ImportedConsumerEnvironment', `consumer ${this.consumer.node.path} is imported, so its environment cannot be ` +
        `set: give it ${settings} yourself (the runtime helper reads it to parse each body)`);
    }
    if (props.idempotencyTable) {
      props.idempotencyTable.grantIdempotency(this.consumer);
      // Publishers in the app (an outbox) check at synth that duplicates they can send arrive within this window.
      registerDeduplicatingConsumer({
        consumer: this,
        bus: this.eventBus,
        sources: props.eventPattern.source,
        windowSeconds: props.idempotencyTable.expiry.toSeconds(),
      });
    }

    if (this.deadLetterQueue) {
      alarms.deadLetterQueueDepth(this, 'DeadLetterQueueAlarm', this.deadLetterQueue, `${id} buffer dead-letter queue`);
    }
    alarms.deadLetterQueueDepth(this, 'TargetDeadLetterQueueAlarm', this.targetDeadLetterQueue, `${id} rule target dead-letter queue`);
    alarms.oldestMessageAge(this, 'OldestMessageAlarm', this.queue, `${id} buffer queue`);
    if (fifoIngest) {
      alarms.deadLetterQueueDepth(this, 'IngestDeadLetterQueueAlarm', fifoIngest.deadLetterQueue, `${id} FIFO ingest dead-letter queue`);
      alarms.oldestMessageAge(this, 'IngestOldestMessageAlarm', fifoIngest.queue, `${id} FIFO ingest queue`);
      // A disabled ingest pipe goes silent: events pile up in the ingest queue, then expire.
      watchPipeState(fifoIngest, fifoIngest.pipe, alarms, `${id} FIFO ingest pipe`);
    }
    alarms.threshold(this, 'RuleFailedInvocationsAlarm', {
      description: `${id}: EventBridge failed to deliver events to the buffer queue`,
      metric: ruleMetric(this.rule, customBus, 'FailedInvocations'),
      threshold: 1,
    });
    alarms.threshold(this, 'RuleDeadLetterFailuresAlarm', {
      description: `${id}: EventBridge could not put undeliverable events in the target dead-letter queue (they are lost)`,
      metric: ruleMetric(this.rule, customBus, 'InvocationsFailedToBeSentToDlq'),
      threshold: 1,
    });
    alarms.functionErrors(this, 'ConsumerErrorsAlarm', this.consumer, `${id} consumer`);
    this.alarms = alarms.alarms;
  }

  /**
   * Age of the oldest message in the buffer queue, seconds (maximum per minute): the consumer falling behind. The
   * construct's backlog alarm watches this metric.
   */
  public metricApproximateAgeOfOldestMessage(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return oldestMessageAgeMetric(this.queue, props);
  }

  /**
   * With `fifo`: whether the ingest pipe runs (1) or not (0: stopped, failed, or disabled by the service), the lowest
   * reading of the scheduled state check in 10 minutes; undefined without `fifo`. The construct's `PipeStateAlarm`
   * watches it.
   */
  public metricIngestPipeState(props?: cloudwatch.MetricOptions): cloudwatch.Metric | undefined {
    return this.ingestPipe ? pipeStateMetric(this.ingestPipe, props) : undefined;
  }

  /**
   * Messages in the buffer queue's dead-letter queue (maximum per minute): events the consumer kept failing. Undefined
   * when an imported queue was given (its dead-letter queue is not known).
   */
  public metricDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric | undefined {
    return this.deadLetterQueue ? visibleMessagesMetric(this.deadLetterQueue, props) : undefined;
  }

  /** Messages in the rule target's dead-letter queue (maximum per minute): events EventBridge could not deliver. */
  public metricTargetDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return visibleMessagesMetric(this.targetDeadLetterQueue, props);
  }
}
