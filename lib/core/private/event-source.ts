import { Names } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { guardConsumerConcurrency } from './consumer-concurrency';
import { guardFunctionLimits } from './function-limits';
import { acknowledgeSqsEventSource } from './nag-acknowledgements';
import { QueueConsumerOptions } from '../queue-consumer';

/**
 * Connects `consumer` to `queue` with partial batch responses and the given flow control. A consumer defined in the
 * app (not only one the construct created) is held to Lambda's limits at synth.
 */
export function addQueueConsumer(queue: sqs.IQueue, consumer: lambda.IFunction, options: QueueConsumerOptions): void {
  guardFunctionLimits(consumer);
  guardConsumerConcurrency(queue, consumer, options.maxConcurrency);
  consumer.addEventSource(
    new SqsEventSource(queue, {
      batchSize: options.batchSize ?? 10,
      maxBatchingWindow: options.maxBatchingWindow,
      maxConcurrency: options.maxConcurrency,
      // Without this, one bad record makes the whole batch visible again and re-runs the good ones.
      reportBatchItemFailures: true,
    }),
  );
  // aws-cdk-lib names the mapping after the queue, under the function.
  const mapping = consumer.node.tryFindChild(`SqsEventSource:${Names.nodeUniqueId(queue.node)}`);
  if (mapping) acknowledgeSqsEventSource(mapping);
}
