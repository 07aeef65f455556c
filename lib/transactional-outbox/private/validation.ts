import { Duration, Token } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { PIPES } from '../../core/private/limits';
import { checkTableName } from '../../core/private/names';
import { checkFifoThroughput, checkRedriveAllowed } from '../../core/private/queue-inspection';
import { regionWithout } from '../../core/private/regions';
import { Problems, warn } from '../../core/private/validation';
import { maxOutboxEventBytes, OUTBOX_DEFAULTS, OUTBOX_LIMITS, outboxRequestByteLimit, OutboxTarget } from '../contract';
import { OutboxStartingPosition, TransactionalOutboxProps } from '../props';

const MIN_RETENTION = Duration.days(1);
const PIPE_NAME = /^[.\-_A-Za-z0-9]{1,64}$/;

/** Every prop check that does not need the table; warnings go to `scope`. */
export function validateOutboxProps(problems: Problems, scope: IConstruct, props: TransactionalOutboxProps): void {
  validateSource(problems, props.eventSource);
  const region = regionWithout(scope, PIPES.unavailableRegions);
  problems.check(region === undefined, 'TransactionalOutbox.PipesUnavailable',
    `the outbox publishes through EventBridge Pipes, which region ${region} does not offer`,
    'deploy the outbox to a region with EventBridge Pipes');
  checkTableName(problems, 'TransactionalOutbox', props.tableName);
  validateTarget(problems, props);
  // A FIFO queue passed in as the target must have settings SQS accepts together, and a dead-letter queue that takes it.
  if (props.queue) {
    checkFifoThroughput(problems, scope, 'TransactionalOutbox', props.queue);
    const dlq = props.queue instanceof sqs.Queue ? props.queue.deadLetterQueue?.queue : undefined;
    if (dlq) checkRedriveAllowed(problems, scope, 'TransactionalOutbox', dlq, props.queue);
  }
  validateTableChoice(problems, props);
  validatePipeSettings(problems, scope, props);
  if (props.retention !== undefined) {
    problems.check(props.retention.toSeconds() >= MIN_RETENTION.toSeconds(), 'TransactionalOutbox.RetentionTooShort',
      `retention ${props.retention.toHumanString()} is under a day`,
      'keep outbox items at least a day (default 14 days): an aggregate quiet for longer starts its sequence again at 1, and the replay ' +
      'of an expired dead-letter batch (--expired scan) finds only items still in the table');
  }
}

function validateSource(problems: Problems, source: string): void {
  if (Token.isUnresolved(source)) return;
  problems.check(source.length >= 1 && source.length <= OUTBOX_LIMITS.maxSourceLength, 'TransactionalOutbox.EventSourceLength',
    `eventSource "${source}" is ${source.length} characters`, `use 1 to ${OUTBOX_LIMITS.maxSourceLength} characters`);
  problems.check(!source.startsWith('aws.'), 'TransactionalOutbox.EventSourceReserved',
    `eventSource "${source}" starts with "aws.", which EventBridge reserves for AWS services`,
    'use your own reverse-domain source, e.g. com.example.orders');
}

function validateTarget(problems: Problems, props: TransactionalOutboxProps): void {
  const target = props.target ?? OutboxTarget.EVENT_BUS;
  if (target === OutboxTarget.FIFO_QUEUE) {
    problems.check(props.eventBus === undefined && props.eventBusProps === undefined, 'TransactionalOutbox.BusWithQueueTarget',
      'eventBus / eventBusProps were given with target FIFO_QUEUE', 'drop them, or use target: OutboxTarget.EVENT_BUS');
    problems.check(props.queue === undefined || props.queueProps === undefined, 'TransactionalOutbox.QueueAndQueueProps',
      'both queue and queueProps were given', 'give queue (your own FIFO queue) or queueProps (settings of a new one)');
    if (props.queue) {
      problems.check(props.queue.fifo, 'TransactionalOutbox.QueueNotFifo',
        `queue ${props.queue.node.path} is a standard queue: it keeps no order, and has no message groups or deduplication`,
        'pass a FIFO queue (the pipe groups by aggregate id and deduplicates by event id), or use target: OutboxTarget.EVENT_BUS');
    }
    problems.check(props.queueProps?.fifo !== false, 'TransactionalOutbox.QueuePropsNotFifo',
      'queueProps.fifo is false, but the target is a FIFO queue', 'drop fifo from queueProps');
  } else {
    problems.check(props.queue === undefined && props.queueProps === undefined, 'TransactionalOutbox.QueueWithBusTarget',
      'queue / queueProps were given, but the target is the event bus', 'pass target: OutboxTarget.FIFO_QUEUE, or drop them');
    problems.check(props.maxMessageAge === undefined, 'TransactionalOutbox.MaxMessageAgeWithBusTarget',
      'maxMessageAge was given, but the target is the event bus: it sets the backlog alarm of a target queue, and there is none',
      'drop maxMessageAge, or pass target: OutboxTarget.FIFO_QUEUE');
    problems.check(props.eventBus === undefined || props.eventBusProps === undefined, 'TransactionalOutbox.BusAndBusProps',
      'both eventBus and eventBusProps were given', 'give eventBus (an existing bus) or eventBusProps (a new one)');
  }
}

function validateTableChoice(problems: Problems, props: TransactionalOutboxProps): void {
  if (!props.table) {
    problems.check(props.tableAttributes === undefined, 'TransactionalOutbox.TableAttributesWithoutTable',
      'tableAttributes was given without table', 'drop tableAttributes: the table the construct creates has pk, sk and expiresAt');
    return;
  }
  problems.check(props.tableName === undefined && props.removalPolicy === undefined, 'TransactionalOutbox.TableOptionsWithTable',
    'tableName / removalPolicy were given with an existing table', 'set them on your table, or drop table to have one created');
}

function validatePipeSettings(problems: Problems, scope: IConstruct, props: TransactionalOutboxProps): void {
  const batchSize = props.batchSize;
  if (batchSize !== undefined) {
    problems.check(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= OUTBOX_LIMITS.maxBatchSize, 'TransactionalOutbox.BatchSize',
      `batchSize ${batchSize} is outside what the target accepts per call`,
      `use 1 to ${OUTBOX_LIMITS.maxBatchSize}: PutEvents and SendMessageBatch take at most 10 entries, and Pipes does not invoke a target with more`);
  }
  checkEventSize(problems, props);
  const window = props.maxBatchingWindow?.toSeconds();
  if (window !== undefined) {
    problems.check(Number.isInteger(window) && window <= OUTBOX_LIMITS.maxBatchingWindowSeconds, 'TransactionalOutbox.BatchingWindow',
      `maxBatchingWindow ${window} s is not a whole number of seconds up to ${OUTBOX_LIMITS.maxBatchingWindowSeconds}`,
      `use 0 to ${OUTBOX_LIMITS.maxBatchingWindowSeconds} seconds`);
  }
  const retries = props.retryAttempts;
  if (retries !== undefined) {
    problems.check(retries !== -1, 'TransactionalOutbox.InfiniteRetries',
      'retryAttempts -1 retries a failing batch until its records leave the stream (24 h), blocking every later event of its shard, and then drops them without dead-lettering',
      'use 0 to 10000 (default 10): failing records then go to the dead-letter queue, and the alarm fires');
    problems.check(retries === -1 || (Number.isInteger(retries) && retries >= 0 && retries <= OUTBOX_LIMITS.maxRetryAttempts),
      'TransactionalOutbox.RetryAttempts', `retryAttempts ${retries} is not an integer from 0 to ${OUTBOX_LIMITS.maxRetryAttempts}`,
      `use 0 to ${OUTBOX_LIMITS.maxRetryAttempts}`);
  }
  const age = props.maxRecordAge?.toSeconds();
  if (age !== undefined) {
    problems.check(Number.isInteger(age) && age >= OUTBOX_LIMITS.minRecordAgeSeconds && age <= OUTBOX_LIMITS.maxRecordAgeSeconds,
      'TransactionalOutbox.MaximumRecordAge', `maxRecordAge ${age} s is outside what Pipes accepts`,
      `use ${OUTBOX_LIMITS.minRecordAgeSeconds} seconds to 7 days (whole seconds)`);
    if (age > OUTBOX_LIMITS.streamRetentionSeconds) {
      warn(scope, 'RecordAgeBeyondStreamRetention', `maxRecordAge ${age} s is longer than the 24 hours DynamoDB Streams ` +
        'keeps a record: a record still failing then is trimmed from the stream and never reaches the dead-letter queue');
    }
  }
  if (props.startingPosition === OutboxStartingPosition.LATEST) {
    warn(scope, 'StartingPositionLatest', 'startingPosition LATEST: events committed before the pipe starts reading the ' +
      'stream are never published; TRIM_HORIZON (the default) publishes everything still in the stream');
  }
  if (props.pipeName !== undefined && !Token.isUnresolved(props.pipeName)) {
    problems.check(PIPE_NAME.test(props.pipeName), 'TransactionalOutbox.PipeName', `pipeName "${props.pipeName}" is not valid`,
      'use 1 to 64 letters, digits, ".", "-" or "_"');
  }
  if (props.pipeName !== undefined) {
    // UpdatePipe takes no source (https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_UpdatePipe.html):
    // a new source, starting position or name replaces the pipe (AWS::Pipes::Pipe, "Update requires: Replacement"), and
    // CloudFormation cannot replace a resource with a custom name ("Name type": "If you specify a name, you cannot
    // perform updates that require replacement of this resource",
    // https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-name.html).
    warn(scope, 'NamedPipe', `pipeName "${props.pipeName}" blocks replacement: a change to the pipe's source, starting position ` +
      'or name fails to deploy until you rename or remove the pipe by hand. A replaced pipe starting at TRIM_HORIZON publishes ' +
      'the stream\'s last 24 hours again: consumers must deduplicate by event id over at least 24 hours. Leave pipeName unset ' +
      'to let CloudFormation name (and replace) the pipe');
  }
}

/**
 * The pipe's batch size: given, or the largest whose batch of `maxEventSize` events fits one target request, or the
 * default. Props are validated first (an invalid batch size is reported there).
 */
export function outboxBatchSize(props: TransactionalOutboxProps): number {
  if (props.batchSize !== undefined) return props.batchSize;
  const eventBytes = props.maxEventSize?.toBytes();
  if (eventBytes === undefined || eventBytes <= 0) return OUTBOX_DEFAULTS.batchSize;
  const fits = Math.floor(outboxRequestByteLimit(props.target ?? OutboxTarget.EVENT_BUS) / eventBytes);
  return Math.max(1, Math.min(OUTBOX_DEFAULTS.batchSize, fits));
}

/** No batch the pipe can form may exceed the target's per-request limit (see maxOutboxEventBytes in the contract). */
function checkEventSize(problems: Problems, props: TransactionalOutboxProps): void {
  if (props.maxEventSize === undefined) return;
  const target = props.target ?? OutboxTarget.EVENT_BUS;
  const bytes = props.maxEventSize.toBytes();
  const what = target === OutboxTarget.FIFO_QUEUE ? 'SendMessageBatch' : 'PutEvents';
  if (!problems.check(Number.isInteger(bytes) && bytes >= 1 && bytes <= OUTBOX_LIMITS.maxEventEntryBytes, 'TransactionalOutbox.MaxEventSize',
    `maxEventSize ${bytes} bytes is outside 1 to ${OUTBOX_LIMITS.maxEventEntryBytes}`,
    `use at most ${OUTBOX_LIMITS.maxEventEntryBytes} bytes (the EventBridge entry limit, kept for both targets); put larger payloads in S3 and publish a reference`)) return;
  const batchSize = props.batchSize;
  if (batchSize === undefined || !Number.isInteger(batchSize) || batchSize < 1 || batchSize > OUTBOX_LIMITS.maxBatchSize) return;
  const allowed = maxOutboxEventBytes(target, batchSize);
  problems.check(bytes <= allowed, 'TransactionalOutbox.BatchOverRequestLimit',
    `a batch of ${batchSize} events of maxEventSize ${bytes} bytes is ${batchSize * bytes} bytes, over the ${outboxRequestByteLimit(target)} ` +
    `bytes one ${what} request takes (Pipes sends a batch as one request)`,
    `lower batchSize to ${Math.max(1, Math.floor(outboxRequestByteLimit(target) / bytes))} or less, or drop batchSize to have it derived from maxEventSize`);
}
