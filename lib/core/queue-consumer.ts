import { Duration, Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { check, PatternValidationError, warn } from './validation';

/** How a Lambda function drains a queue. Shared by every pattern that puts a queue in front of a function. */
export interface QueueConsumerOptions {
  /**
   * Records per invocation. At most 10 for FIFO queues; above 10 a standard queue needs `maxBatchingWindow`.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * The most concurrent invocations the event source may drive (flow control for a downstream that cannot take a
   * burst). Between 2 and 1000.
   * @default - no limit beyond the function's own concurrency
   */
  readonly maxConcurrency?: number;
  /**
   * How long Lambda gathers records before invoking. Not supported on FIFO queues.
   * @default - no batching window
   */
  readonly maxBatchingWindow?: Duration;
  /**
   * The consumer's timeout, needed only when the consumer is an imported function whose timeout cannot be read.
   * @default - read from the function
   */
  readonly consumerTimeout?: Duration;
}

/** SQS allows up to 12 hours of visibility timeout. */
const MAX_VISIBILITY = Duration.hours(12);

/**
 * The visibility timeout a queue needs for a Lambda consumer: six times the function timeout plus the batching
 * window, so a message is not handed to a second consumer while the first batch (and its retries on throttling)
 * may still be running.
 */
export function consumerVisibilityTimeout(functionTimeout: Duration, maxBatchingWindow?: Duration): Duration {
  return Duration.seconds(6 * functionTimeout.toSeconds() + (maxBatchingWindow?.toSeconds() ?? 0));
}

/** Reads a consumer's timeout; imported functions must state it through `consumerTimeout`. */
export function consumerTimeoutOf(scope: IConstruct, consumer: lambda.IFunction, override?: Duration): Duration {
  if (override) return override;
  if (consumer instanceof lambda.Function) return consumer.timeout ?? Duration.seconds(3);
  throw new PatternValidationError(
    scope,
    `the timeout of imported function ${consumer.node.path} cannot be read, so the queue visibility timeout cannot be derived`,
    'pass consumerTimeout with that function\'s configured timeout',
  );
}

/** Checks consumer options against the Lambda/SQS limits, naming the bad value and the fix. */
export function validateConsumerOptions(scope: IConstruct, options: QueueConsumerOptions, fifo: boolean): void {
  const batchSize = options.batchSize ?? 10;
  const max = fifo ? 10 : 10_000;
  check(
    Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= max,
    scope,
    `batchSize ${batchSize} is outside 1..${max} for a ${fifo ? 'FIFO' : 'standard'} queue`,
    `use a batch size from 1 to ${max}`,
  );
  check(
    !(fifo && options.maxBatchingWindow),
    scope,
    'maxBatchingWindow is not supported for FIFO queues',
    'drop maxBatchingWindow (FIFO event sources invoke as soon as records are available)',
  );
  check(
    batchSize <= 10 || (options.maxBatchingWindow?.toSeconds() ?? 0) >= 1,
    scope,
    `batchSize ${batchSize} above 10 needs a batching window`,
    'set maxBatchingWindow to at least 1 second, or use batchSize 10 or less',
  );
  check(
    (options.maxBatchingWindow?.toSeconds() ?? 0) <= 300,
    scope,
    `maxBatchingWindow ${options.maxBatchingWindow?.toHumanString()} exceeds 5 minutes`,
    'use at most 5 minutes',
  );
  if (options.maxConcurrency !== undefined) {
    check(
      Number.isInteger(options.maxConcurrency) && options.maxConcurrency >= 2 && options.maxConcurrency <= 1000,
      scope,
      `maxConcurrency ${options.maxConcurrency} is outside the SQS event source range 2..1000`,
      'use an integer from 2 to 1000, or omit it for no limit',
    );
  }
}

/**
 * Checks that an explicit visibility timeout is at least what the consumer needs, and returns the timeout to use.
 */
export function resolveVisibilityTimeout(
  scope: IConstruct,
  required: Duration,
  explicit: Duration | undefined,
): Duration {
  check(
    required.toSeconds() <= MAX_VISIBILITY.toSeconds(),
    scope,
    `the consumer needs a visibility timeout of ${required.toHumanString()}, above the SQS maximum of 12 hours`,
    'shorten the function timeout or the batching window',
  );
  if (explicit === undefined) return required;
  check(
    explicit.toSeconds() >= required.toSeconds(),
    scope,
    `visibilityTimeout ${explicit.toHumanString()} is shorter than the ${required.toHumanString()} the consumer needs ` +
      '(6 × function timeout + batching window)',
    `raise visibilityTimeout to at least ${required.toSeconds()} seconds, or omit it to derive it`,
  );
  return explicit;
}

/**
 * The visibility timeout of a queue drained by `consumer`: derived from the consumer's timeout and batching window,
 * or `explicit` when it is at least that long (shorter is rejected).
 */
export function consumerQueueVisibilityTimeout(
  scope: IConstruct,
  consumer: lambda.IFunction,
  options: QueueConsumerOptions,
  explicit: Duration | undefined,
): Duration {
  const required = consumerVisibilityTimeout(consumerTimeoutOf(scope, consumer, options.consumerTimeout), options.maxBatchingWindow);
  return resolveVisibilityTimeout(scope, required, explicit);
}

/** Which construct consumes each queue (a queue object is owned once across the app). */
const queueOwners = new WeakMap<sqs.IQueue, string>();
/** The queues claimed in each stack, checked together once at synthesis (one pass over the stack, not one per queue). */
const claimsByStack = new WeakMap<Stack, Array<{ scope: IConstruct; queue: sqs.IQueue }>>();

/**
 * Claims `queue` for the consumer `scope` wires to it. Two consumers on one queue compete for messages, and Lambda
 * event filters on a shared queue delete the messages they do not match, so the other consumer silently never sees
 * them. A second claim fails at once (the same object, or a queue imported again with the same ARN in the stack);
 * any other event source mapping on the queue in the same stack (a trigger added outside these constructs) fails
 * synthesis.
 */
export function claimQueue(scope: IConstruct, queue: sqs.IQueue): void {
  const stack = Stack.of(scope);
  let claims = claimsByStack.get(stack);
  if (!claims) {
    claims = [];
    claimsByStack.set(stack, claims);
    stack.node.addValidation({ validate: () => sharedQueueErrors(stack) });
  }
  const arn = Token.isUnresolved(queue.queueArn) ? undefined : queue.queueArn;
  const owner = queueOwners.get(queue) ?? (arn === undefined ? undefined : claims.find((c) => c.queue.queueArn === arn)?.scope.node.path);
  check(
    owner === undefined,
    scope,
    `queue ${queue.node.path} is already consumed by ${owner}`,
    'give each consumer its own queue (one subscriber or BufferedEventConsumer each); several rules can share one bus',
  );
  queueOwners.set(queue, scope.node.path);
  claims.push({ scope, queue });
}

function sharedQueueErrors(stack: Stack): string[] {
  const mappingsByArn = new Map<string, string[]>();
  for (const c of stack.node.findAll()) {
    if (!(c instanceof lambda.CfnEventSourceMapping)) continue;
    const arn = JSON.stringify(stack.resolve(c.eventSourceArn));
    mappingsByArn.set(arn, [...(mappingsByArn.get(arn) ?? []), c.node.path]);
  }
  return (claimsByStack.get(stack) ?? []).flatMap(({ scope, queue }) => {
    const mappings = mappingsByArn.get(JSON.stringify(stack.resolve(queue.queueArn))) ?? [];
    return mappings.length <= 1 ? [] : [
      `[${scope.node.path}] queue ${queue.node.path} has ${mappings.length} consumers (${mappings.join(', ')}). ` +
        'Fix: remove the other triggers; give each consumer its own queue.',
    ];
  });
}

/** Connects `consumer` to `queue` with partial batch responses and the given flow control. */
export function addQueueConsumer(queue: sqs.IQueue, consumer: lambda.IFunction, options: QueueConsumerOptions): void {
  consumer.addEventSource(
    new SqsEventSource(queue, {
      batchSize: options.batchSize ?? 10,
      maxBatchingWindow: options.maxBatchingWindow,
      maxConcurrency: options.maxConcurrency,
      // Without this, one bad record makes the whole batch visible again and re-runs the good ones.
      reportBatchItemFailures: true,
    }),
  );
}

/** The SQS default visibility timeout, in seconds, for a queue that does not set one. */
const DEFAULT_VISIBILITY_SECONDS = 30;

/**
 * Checks a queue the user brought in instead of letting a pattern create it, and returns its dead-letter queue (to
 * alarm on). A queue defined in this app must have a dead-letter queue of its own kind with `maxReceiveCount` of at
 * least 2 and, when `consumer` drains it, a visibility timeout the consumer can work within. An imported queue
 * cannot be inspected: it gets a synth warning instead.
 */
export function checkExistingQueue(
  scope: IConstruct,
  queue: sqs.IQueue,
  consumer: lambda.IFunction | undefined,
  options: QueueConsumerOptions,
): sqs.IQueue | undefined {
  const path = queue.node.path;
  if (!(queue instanceof sqs.Queue)) {
    warn(
      scope,
      'ExistingQueue',
      `queue ${path} is imported, so its visibility timeout and dead-letter queue cannot be checked: make sure the ` +
        'visibility timeout is at least 6 × the consumer timeout and a dead-letter queue of the same kind is attached',
    );
    return undefined;
  }
  const dlq = queue.deadLetterQueue;
  check(
    dlq !== undefined,
    scope,
    `the existing queue ${path} has no dead-letter queue, so a message that keeps failing is retried until it expires`,
    'give it a deadLetterQueue, or omit queue to let the construct create one',
  );
  check(
    dlq!.queue.fifo === queue.fifo,
    scope,
    `the existing queue ${path} is ${queue.fifo ? 'FIFO' : 'standard'} but its dead-letter queue is not`,
    `use a ${queue.fifo ? 'FIFO' : 'standard'} dead-letter queue`,
  );
  check(
    dlq!.maxReceiveCount >= 2,
    scope,
    `the existing queue ${path} moves a message to its dead-letter queue after ${dlq!.maxReceiveCount} receive`,
    'set maxReceiveCount to at least 2 (one throttled or timed-out receive must not dead-letter a message)',
  );
  if (consumer) {
    const required = consumerVisibilityTimeout(consumerTimeoutOf(scope, consumer, options.consumerTimeout), options.maxBatchingWindow);
    const configured = (queue.node.defaultChild as sqs.CfnQueue).visibilityTimeout ?? DEFAULT_VISIBILITY_SECONDS;
    if (!Token.isUnresolved(configured)) {
      check(
        configured >= required.toSeconds(),
        scope,
        `the existing queue ${path} has a visibility timeout of ${configured} seconds, shorter than the ` +
          `${required.toSeconds()} seconds its consumer needs (6 × function timeout + batching window)`,
        `raise the queue's visibilityTimeout to at least ${required.toSeconds()} seconds`,
      );
    }
  }
  return dlq!.queue;
}
