import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SharedSlot } from './app-registry';
import { LAMBDA } from './limits';
import { warnAtSynth } from './validation';

interface QueueDrain {
  readonly queue: string;
  readonly maxConcurrency?: number;
}

/** The queues each function drains through these constructs, with their maxConcurrency. */
const drains = new SharedSlot<QueueDrain[]>('queueDrains');

/**
 * Records that `consumer` drains `queue` and, once per function, checks at synthesis (when the function's reserved
 * concurrency is final) that the consumer is not throttled by its own reservation: reserved concurrency 0 stops it,
 * and a reservation below the summed maxConcurrency of its queues lets Lambda throttle the event sources
 * (LAMBDA.sqsScalingSource). A throttled SQS batch returns to the queue and counts as a receive, so messages reach
 * the dead-letter queue without the function ever failing. An imported consumer's reservation cannot be read.
 */
export function guardConsumerConcurrency(queue: sqs.IQueue, consumer: lambda.IFunction, maxConcurrency: number | undefined): void {
  if (!(consumer instanceof lambda.Function)) return;
  let list = drains.get(consumer);
  if (!list) {
    list = [];
    drains.set(consumer, list);
    consumer.node.addValidation({ validate: () => { warnThrottledConsumer(consumer, list!); return []; } });
  }
  list.push({ queue: queue.node.path, maxConcurrency });
}

function warnThrottledConsumer(fn: lambda.Function, list: QueueDrain[]): void {
  const reserved = Stack.of(fn).resolve((fn.node.defaultChild as lambda.CfnFunction).reservedConcurrentExecutions);
  if (typeof reserved !== 'number') return;
  const queues = list.map((d) => d.queue).join(', ');
  if (reserved === 0) {
    warnAtSynth(fn, 'ConsumerStopped', `consumer ${fn.node.path} of ${queues} has reserved concurrency 0, so every batch is throttled: ` +
      'messages return to the queue, count as receives and move to the dead-letter queue unprocessed; drop the reservation ' +
      '(or disable the event source to pause consumption on purpose)');
    return;
  }
  const limited = list.filter((d): d is Required<QueueDrain> => d.maxConcurrency !== undefined);
  const wanted = limited.reduce((sum, d) => sum + d.maxConcurrency, 0);
  if (limited.length > 0 && wanted > reserved) {
    warnAtSynth(fn, 'ConsumerThrottledByReservation', `consumer ${fn.node.path} reserves ${reserved} concurrent executions but its SQS ` +
      `event sources may run ${wanted} (maxConcurrency of ${limited.map((d) => d.queue).join(', ')}): Lambda throttles the ` +
      `excess and throttled messages count as receives toward the dead-letter queue; raise reservedConcurrentExecutions to at ` +
      `least ${wanted} or lower maxConcurrency (minimum ${LAMBDA.sqsMaxConcurrency.min})`);
  }
}
