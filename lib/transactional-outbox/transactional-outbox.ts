import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { OUTBOX_DEFAULTS, OUTBOX_ENV, OUTBOX_LIMITS, OUTBOX_MALFORMED, OutboxTarget } from './contract';
import { captureEnvironment, captureFilterPattern, captureTargetParameters, ResolvedCapture, resolveCapture } from './private/change-capture';
import { outboxFilterPattern, outboxTargetParameters } from './private/pipe-parameters';
import { checkAttributeNames, inspectTable } from './private/table-inspection';
import { outboxBatchSize, validateOutboxProps } from './private/validation';
import { OutboxPipeLogLevel, OutboxStartingPosition, OutboxTableAttributes, TransactionalOutboxProps } from './props';
import { PatternFunction } from '../core/pattern-function';
import { AlarmFactory, visibleMessagesMetric } from '../core/private/alarm-factory';
import { bundledHandlerCode } from '../core/private/assets';
import { checkDuplicateWindows } from '../core/private/duplicate-windows';
import { createPipe } from '../core/private/pipe';
import { pipeStateMetric, watchPipeState } from '../core/private/pipe-state-watch';
import { createTtlTable } from '../core/private/ttl-table';
import { Problems, warn } from '../core/private/validation';
import { SecureQueue } from '../core/secure-queue';

/**
 * The transactional outbox: a service commits its state change and the events describing it in one DynamoDB
 * transaction (the `OutboxWriter` runtime helper), and an EventBridge Pipe publishes the events from the table's
 * stream. An event is published if and only if its transaction committed, at least once.
 *
 * Each aggregate has one outbox item (key prefix `OUTBOX#`) and every event of the aggregate is a new image of it,
 * numbered by a per-aggregate sequence: DynamoDB Streams orders one item's records, so the FIFO target receives an
 * aggregate's events in commit order, and consumers can tell a gap from the sequence. The pipe reads only new images
 * of outbox items: business items and TTL deletions are never published. A small enrichment function turns each
 * image into a clean event (Pipes input templates cannot parse the stored detail), and the target receives exactly
 * the object the writer was given. Failing
 * batches are bisected and retried a bounded number of times, then go to an SQS dead-letter queue with an alarm.
 *
 * With `capture`, there are no outbox rows: each creation or change of an item of a named type is itself the event
 * (its new image, reduced to the named attributes), one write per event, ordered per item.
 */
export class TransactionalOutbox extends Construct {
  /** The table holding the outbox items (and, usually, the business items). */
  public readonly table: dynamodb.ITable;
  /** Its key and TTL attribute names (no TTL attribute: a table without TTL, allowed only with `capture`). */
  public readonly tableAttributes: OutboxTableAttributes;
  /** Where events go. */
  public readonly target: OutboxTarget;
  /** The bus events are published on (bus target). */
  public readonly eventBus?: events.IEventBus;
  /** The FIFO queue events are sent to (FIFO target). */
  public readonly queue?: sqs.IQueue;
  /** The pipe. */
  public readonly pipe: pipes.CfnPipe;
  /** The role the pipe assumes. */
  public readonly pipeRole: iam.IRole;
  /** The function that turns outbox item images into clean events. */
  public readonly enrichment: lambda.IFunction;
  /** Where the pipe puts batches it could not deliver (their stream coordinates, not the events). */
  public readonly deadLetterQueue: sqs.IQueue;
  /**
   * Where the enrichment sets aside outbox images it cannot publish (each with the reason, its stream coordinates
   * and the record), so they do not take the good events of their batch with them. Alarmed through
   * `metricMalformedImages`.
   */
  public readonly malformedImageQueue: sqs.IQueue;
  /** The pipe's log group (undefined with `OutboxPipeLogLevel.OFF`). */
  public readonly logGroup?: logs.ILogGroup;
  /** Every alarm this construct created. */
  public readonly alarms: cloudwatch.IAlarm[];

  /** Records per pipe batch (one target request): it decides the largest event the writer accepts. */
  public readonly batchSize: number;

  private readonly eventSource: string;
  private readonly retention: Duration;
  private readonly capture?: ResolvedCapture;

  constructor(scope: Construct, id: string, props: TransactionalOutboxProps) {
    super(scope, id);
    const problems = new Problems(this);
    validateOutboxProps(problems, this, props);
    problems.throwIfAny();
    this.eventSource = props.eventSource;
    this.retention = props.retention ?? Duration.seconds(OUTBOX_DEFAULTS.retentionSeconds);
    this.target = props.target ?? OutboxTarget.EVENT_BUS;
    this.batchSize = outboxBatchSize(props);

    const { table, attributes } = this.tableFor(problems, props);
    checkAttributeNames(problems, attributes);
    this.capture = props.capture ? resolveCapture(problems, props, props.capture, attributes) : undefined;
    problems.throwIfAny();
    this.table = table;
    this.tableAttributes = attributes;

    const target = this.createTarget(props);
    this.eventBus = target.eventBus;
    this.queue = target.queue;
    this.deadLetterQueue = new SecureQueue(this, 'PipeDeadLetterQueue', { isDeadLetterQueueOnly: true }).queue;
    const capture = this.capture;
    this.malformedImageQueue = new SecureQueue(this, 'MalformedImageQueue', { isDeadLetterQueueOnly: true }).queue;
    const enrichment = new PatternFunction(this, 'Enrichment', {
      code: bundledHandlerCode(capture ? 'outbox-capture-enrichment' : 'outbox-enrichment'),
      handler: 'index.handler',
      description: capture
        ? 'Turns captured item changes from the DynamoDB stream into the events the outbox publishes'
        : 'Turns outbox item images from the DynamoDB stream into the events the outbox publishes',
      memorySize: 256,
      timeout: Duration.seconds(30),
      environment: {
        [OUTBOX_ENV.EVENT_SOURCE]: props.eventSource,
        [OUTBOX_ENV.MALFORMED_QUEUE_URL]: this.malformedImageQueue.queueUrl,
        ...(capture ? captureEnvironment(capture, this.target, this.batchSize) : {}),
      },
    });
    this.malformedImageQueue.grantSendMessages(enrichment);
    this.enrichment = enrichment;
    this.logGroup = (props.logLevel ?? OutboxPipeLogLevel.ERROR) === OutboxPipeLogLevel.OFF
      ? undefined
      : new logs.LogGroup(this, 'PipeLogs', { retention: logs.RetentionDays.ONE_MONTH });

    const { pipe, role } = createPipe(this, 'Pipe', {
      roleDescription: `Reads the outbox stream of ${Stack.of(this).stackName}/${id} and publishes its events`,
      // Pipes allows 512 characters; the construct path can be longer.
      description: `Publishes the outbox events of ${Stack.of(this).stackName}/${id}`.slice(0, 512),
      source: table.tableStreamArn!,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: props.startingPosition ?? OutboxStartingPosition.TRIM_HORIZON,
          batchSize: this.batchSize,
          maximumBatchingWindowInSeconds: props.maxBatchingWindow?.toSeconds(),
          maximumRetryAttempts: props.retryAttempts ?? OUTBOX_DEFAULTS.maximumRetryAttempts,
          maximumRecordAgeInSeconds: props.maxRecordAge?.toSeconds() ?? OUTBOX_DEFAULTS.maximumRecordAgeSeconds,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
        filterCriteria: { filters: [{ pattern: JSON.stringify(capture ? captureFilterPattern(capture) : outboxFilterPattern(attributes)) }] },
      },
      target: target.arn,
      targetParameters: capture
        ? captureTargetParameters(this.target, props.eventSource, capture)
        : outboxTargetParameters(this.target, props.eventSource),
      logConfiguration: this.logGroup ? {
        level: props.logLevel ?? OutboxPipeLogLevel.ERROR,
        cloudwatchLogsLogDestination: { logGroupArn: this.logGroup.logGroupArn },
        includeExecutionData: props.logExecutionData ? ['ALL'] : undefined,
      } : undefined,
    });
    pipe.enrichment = enrichment.functionArn;
    if (props.pipeName !== undefined) pipe.name = props.pipeName;
    this.pipe = pipe;
    this.pipeRole = role;
    this.grantPipe(role);

    const alarms = new AlarmFactory(props);
    alarms.threshold(this, 'PipeExecutionFailedAlarm', {
      description: `${id}: the outbox pipe failed to publish a batch (it is retried, then dead-lettered)`,
      metric: this.metricPipeExecutionFailed(),
      threshold: 1,
    });
    alarms.deadLetterQueueDepth(this, 'PipeDeadLetterQueueAlarm', this.deadLetterQueue, `${id} pipe dead-letter queue`);
    alarms.functionErrors(this, 'EnrichmentErrorsAlarm', enrichment, `${id} enrichment function`);
    alarms.threshold(this, 'MalformedImagesAlarm', {
      description: `${id}: the enrichment set aside outbox images it could not publish (see the malformed-image queue)`,
      metric: this.metricMalformedImages(),
      threshold: 1,
    });
    if (target.queue) {
      // The FIFO target's consumers are someone else's: a backlog or a dead-lettered event is still this outbox's concern.
      alarms.oldestMessageAge(this, 'TargetQueueOldestMessageAlarm', target.queue, `${id} target queue`);
      if (target.queueDeadLetterQueue) {
        alarms.deadLetterQueueDepth(this, 'TargetQueueDeadLetterAlarm', target.queueDeadLetterQueue, `${id} target queue dead-letter queue`);
      }
    }
    // A pipe the service disabled after nearly continuous errors stops executing: ExecutionFailed falls silent with it.
    watchPipeState(this, pipe, alarms, `${id} outbox pipe`);
    this.alarms = alarms.alarms;

    if ((props.startingPosition ?? OutboxStartingPosition.TRIM_HORIZON) === OutboxStartingPosition.TRIM_HORIZON && this.eventBus) {
      // A new pipe (a replacement, or this outbox deployed again under another id) reads the stream from its oldest
      // record, so events up to 24 hours old reach the bus a second time (DynamoDB Streams keeps records 24 hours).
      // On the pipe, so an acknowledgement on the outbox applies (see warnAtSynth).
      checkDuplicateWindows(this.pipe, {
        bus: this.eventBus,
        source: props.eventSource,
        seconds: OUTBOX_LIMITS.streamRetentionSeconds,
        reason: 'a replaced outbox pipe starting at TRIM_HORIZON publishes events again',
      });
    }
  }

  /**
   * Lets `fn` write transactions through the outbox (PutItem, UpdateItem, DeleteItem and ConditionCheckItem on the
   * table: what TransactWriteItems checks per action, for outbox items and business items alike) and gives it the
   * environment the OutboxWriter reads.
   */
  public grantWrite(fn: lambda.IFunction): iam.Grant {
    if (this.capture) {
      throw new Error(`TransactionalOutbox ${this.node.path}: grantWrite gives the OutboxWriter its table and environment, ` +
        'but this outbox captures item changes and publishes no outbox rows: use grantCapturedWrite(grantee) instead');
    }
    const environment = this.writerEnvironment();
    if (fn instanceof lambda.Function) {
      for (const [name, value] of Object.entries(environment)) fn.addEnvironment(name, value);
    } else {
      warn(this, 'ImportedWriterEnvironment', `function ${fn.node.path} is imported, so its environment cannot be set: give ` +
        `it ${Object.keys(environment).join(', ')} yourself (the OutboxWriter reads them)`);
    }
    this.table.encryptionKey?.grantEncryptDecrypt(fn);
    return iam.Grant.addToPrincipal({
      grantee: fn,
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'],
      resourceArns: [this.table.tableArn],
    });
  }

  /**
   * Change-capture mode: lets `grantee` create and change items (PutItem and UpdateItem on the table, and the table's
   * key if it has one), each write being one event. No DeleteItem: deletions are not published.
   */
  public grantCapturedWrite(grantee: iam.IGrantable): iam.Grant {
    if (!this.capture) {
      throw new Error(`TransactionalOutbox ${this.node.path}: grantCapturedWrite is for change-capture mode (the capture prop); ` +
        'this outbox publishes outbox rows: use grantWrite(fn), which also gives the OutboxWriter its environment');
    }
    this.table.encryptionKey?.grantEncryptDecrypt(grantee);
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'],
      resourceArns: [this.table.tableArn],
    });
  }

  /** The environment the OutboxWriter reads (set by `grantWrite`). */
  public writerEnvironment(): Record<string, string> {
    const { partitionKey, sortKey, timeToLiveAttribute } = this.tableAttributes;
    return {
      [OUTBOX_ENV.TABLE_NAME]: this.table.tableName,
      [OUTBOX_ENV.PARTITION_KEY]: partitionKey,
      ...(sortKey === undefined ? {} : { [OUTBOX_ENV.SORT_KEY]: sortKey }),
      ...(timeToLiveAttribute === undefined ? {} : { [OUTBOX_ENV.TIME_TO_LIVE_ATTRIBUTE]: timeToLiveAttribute }),
      [OUTBOX_ENV.RETENTION_SECONDS]: String(this.retention.toSeconds()),
      [OUTBOX_ENV.EVENT_SOURCE]: this.eventSource,
      [OUTBOX_ENV.TARGET]: this.target,
      [OUTBOX_ENV.BATCH_SIZE]: String(this.batchSize),
    };
  }

  /**
   * Failed executions of the pipe (`ExecutionFailed`, summed over 5 minutes): batches that did not reach the target
   * and are retried, then dead-lettered. The construct's pipe alarm watches this metric.
   */
  public metricPipeExecutionFailed(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return this.pipeMetric('ExecutionFailed', props);
  }

  /**
   * Whether the pipe runs (1) or not (0: stopped, failed, or disabled by the service after nearly continuous errors),
   * the lowest reading of the scheduled state check in 10 minutes. The construct's `PipeStateAlarm` watches it, and
   * fires on missing data too.
   */
  public metricPipeState(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return pipeStateMetric(this.pipe, props);
  }

  /**
   * Outbox images (or, with `capture`, captured changes: no valid aggregate id or sequence, or an event too large for
   * the target's request) the enrichment set aside because it could not publish them (`MalformedOutboxImages`, an EMF metric
   * of the enrichment function, summed over 5 minutes): each is an event consumers will see as a gap in its
   * aggregate's sequence. The construct's malformed-image alarm watches this metric.
   */
  public metricMalformedImages(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: OUTBOX_MALFORMED.metricsNamespace,
      metricName: OUTBOX_MALFORMED.metricName,
      dimensionsMap: { [OUTBOX_MALFORMED.dimension]: this.enrichment.functionName },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...props,
    });
  }

  /** Messages in the pipe's dead-letter queue (maximum per minute): batches the pipe gave up on. */
  public metricDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return visibleMessagesMetric(this.deadLetterQueue, props);
  }

  /**
   * A metric of the pipe, summed over 5 minutes by default. Namespace, metric names and the `PipeName` dimension are
   * those of "Logging and monitoring Amazon EventBridge Pipes using Amazon CloudWatch Logs"
   * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-monitoring.html).
   */
  private pipeMetric(metricName: string, options: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
    return new cloudwatch.Metric({
      namespace: 'AWS/EventBridge/Pipes',
      metricName,
      dimensionsMap: { PipeName: this.pipe.ref },
      statistic: 'Sum',
      period: Duration.minutes(5),
      ...options,
    });
  }

  private tableFor(problems: Problems, props: TransactionalOutboxProps): { table: dynamodb.ITable; attributes: OutboxTableAttributes } {
    if (props.table) {
      const attributes = inspectTable(problems, this, props.table, props.tableAttributes, props.capture !== undefined);
      problems.throwIfAny();
      return { table: props.table, attributes: attributes! };
    }
    const attributes = {
      partitionKey: OUTBOX_DEFAULTS.partitionKey,
      sortKey: OUTBOX_DEFAULTS.sortKey,
      timeToLiveAttribute: OUTBOX_DEFAULTS.timeToLiveAttribute,
    };
    const table = createTtlTable(this, 'Table', {
      ...attributes,
      tableName: props.tableName,
      removalPolicy: props.removalPolicy ?? RemovalPolicy.RETAIN,
      dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
    });
    return { table, attributes };
  }

  /** Creates or adopts the target. */
  private createTarget(props: TransactionalOutboxProps): {
    arn: string; eventBus?: events.IEventBus; queue?: sqs.IQueue; queueDeadLetterQueue?: sqs.IQueue;
  } {
    if (this.target === OutboxTarget.FIFO_QUEUE) {
      if (props.queue) return { arn: props.queue.queueArn, queue: props.queue };
      const owned = new SecureQueue(this, 'Queue', { ...props.queueProps, fifo: true });
      return { arn: owned.queue.queueArn, queue: owned.queue, queueDeadLetterQueue: owned.deadLetterQueue };
    }
    const eventBus = props.eventBus ?? (props.eventBusProps
      ? new events.EventBus(this, 'Bus', props.eventBusProps)
      : events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'));
    return { arn: eventBus.eventBusArn, eventBus };
  }

  /** Exactly what the pipe needs: read the stream, invoke the enrichment, deliver to the target and the DLQ. */
  private grantPipe(role: iam.IRole): void {
    this.table.grantStreamRead(role);
    role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['lambda:InvokeFunction'],
      resources: [this.enrichment.functionArn],
    }));
    if (this.queue) this.queue.grantSendMessages(role);
    if (this.eventBus) this.eventBus.grantPutEventsTo(role);
    this.deadLetterQueue.grantSendMessages(role);
    if (this.logGroup) {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }));
    }
  }
}
