import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { QueueConsumerOptions } from '../queue-consumer';

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
