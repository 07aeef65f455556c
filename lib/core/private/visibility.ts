import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LAMBDA, SQS } from './limits';
import { Problems } from './validation';
import { QueueConsumerOptions } from '../queue-consumer';

/** Lambda's timeout when a function sets none. */
export const LAMBDA_DEFAULT_TIMEOUT = Duration.seconds(LAMBDA.defaultTimeoutSeconds);

/**
 * The visibility timeout a queue needs for a Lambda consumer: six times the function timeout plus the batching
 * window, so a message is not handed to a second consumer while the first batch (and its retries on throttling)
 * may still be running.
 */
export function consumerVisibilityTimeout(functionTimeout: Duration, maxBatchingWindow?: Duration): Duration {
  return Duration.seconds(6 * functionTimeout.toSeconds() + (maxBatchingWindow?.toSeconds() ?? 0));
}

/** Reads a consumer's timeout; imported functions must state it through `consumerTimeout` (else a problem). */
export function consumerTimeoutOf(problems: Problems, consumer: lambda.IFunction, override?: Duration): Duration | undefined {
  if (override) return override;
  if (consumer instanceof lambda.Function) return consumer.timeout ?? LAMBDA_DEFAULT_TIMEOUT;
  problems.add(
    'Consumer.ImportedTimeout',
    `the timeout of imported function ${consumer.node.path} cannot be read, so the queue visibility timeout cannot be derived`,
    'pass consumerTimeout with that function\'s configured timeout',
  );
  return undefined;
}

/** The visibility timeout the consumer needs, or undefined when its timeout cannot be known (already reported). */
export function requiredVisibilityTimeout(
  problems: Problems,
  consumer: lambda.IFunction,
  options: QueueConsumerOptions,
): Duration | undefined {
  const timeout = consumerTimeoutOf(problems, consumer, options.consumerTimeout);
  return timeout === undefined ? undefined : consumerVisibilityTimeout(timeout, options.maxBatchingWindow);
}

/**
 * Checks that an explicit visibility timeout is at least what the consumer needs, and returns the timeout to use.
 */
export function resolveVisibilityTimeout(problems: Problems, required: Duration, explicit: Duration | undefined): Duration {
  problems.check(
    required.toSeconds() <= SQS.visibilityTimeoutSeconds.max,
    'Queue.VisibilityTimeoutAboveMaximum',
    `the consumer needs a visibility timeout of ${required.toHumanString()}, above the SQS maximum of 12 hours`,
    'shorten the function timeout or the batching window',
  );
  if (explicit === undefined) return required;
  problems.check(
    explicit.toSeconds() >= required.toSeconds(),
    'Queue.VisibilityTimeoutTooShort',
    `visibilityTimeout ${explicit.toHumanString()} is shorter than the ${required.toHumanString()} the consumer needs ` +
      '(6 × function timeout + batching window)',
    `raise visibilityTimeout to at least ${required.toSeconds()} seconds, or omit it to derive it`,
  );
  return explicit;
}

/**
 * The visibility timeout of a queue drained by `consumer`: derived from the consumer's timeout and batching window,
 * or `explicit` when it is at least that long (shorter is a problem).
 */
export function consumerQueueVisibilityTimeout(
  problems: Problems,
  consumer: lambda.IFunction,
  options: QueueConsumerOptions,
  explicit: Duration | undefined,
): Duration | undefined {
  const required = requiredVisibilityTimeout(problems, consumer, options);
  return required === undefined ? explicit : resolveVisibilityTimeout(problems, required, explicit);
}
