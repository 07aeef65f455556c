import { Duration } from 'aws-cdk-lib';

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
