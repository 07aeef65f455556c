import { inRange, LAMBDA } from './limits';
import { Problems } from './validation';
import { QueueConsumerOptions } from '../queue-consumer';

/** Checks consumer options against the Lambda/SQS event source limits, naming the bad value and the fix. */
export function validateConsumerOptions(problems: Problems, options: QueueConsumerOptions, fifo: boolean): void {
  const batchSize = options.batchSize ?? 10;
  const range = fifo ? LAMBDA.fifoBatchSize : LAMBDA.standardBatchSize;
  const max = range.max;
  problems.check(
    inRange(batchSize, range),
    'Consumer.BatchSize',
    `batchSize ${batchSize} is outside 1..${max} for a ${fifo ? 'FIFO' : 'standard'} queue`,
    `use a batch size from 1 to ${max}`,
  );
  problems.check(
    !(fifo && options.maxBatchingWindow),
    'Consumer.FifoBatchingWindow',
    'maxBatchingWindow is not supported for FIFO queues',
    'drop maxBatchingWindow (FIFO event sources invoke as soon as records are available)',
  );
  // Standard queues only: a FIFO queue takes no window, so on FIFO this fix would lead to FifoBatchingWindow (a batch
  // above 10 on FIFO is Consumer.BatchSize alone).
  problems.check(
    fifo || batchSize <= 10 || (options.maxBatchingWindow?.toSeconds() ?? 0) >= 1,
    'Consumer.LargeBatchWithoutWindow',
    `batchSize ${batchSize} above 10 needs a batching window`,
    'set maxBatchingWindow to at least 1 second, or use batchSize 10 or less',
  );
  problems.check(
    (options.maxBatchingWindow?.toSeconds() ?? 0) <= LAMBDA.batchingWindowSeconds.max,
    'Consumer.BatchingWindow',
    `maxBatchingWindow ${options.maxBatchingWindow?.toHumanString()} exceeds 5 minutes`,
    'use at most 5 minutes',
  );
  if (options.maxConcurrency !== undefined) {
    problems.check(
      inRange(options.maxConcurrency, LAMBDA.sqsMaxConcurrency),
      'Consumer.MaxConcurrency',
      `maxConcurrency ${options.maxConcurrency} is outside the SQS event source range 2..1000`,
      'use an integer from 2 to 1000, or omit it for no limit',
    );
  }
}
