import { Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { inRange, SQS } from './limits';
import { checkQueueName } from './names';
import { checkFifoThroughput, checkRedriveAllowed } from './queue-inspection';
import { Problems, warn } from './validation';
import { requiredVisibilityTimeout } from './visibility';
import { QueueConsumerOptions } from '../queue-consumer';

/**
 * Checks a queue the user brought in instead of letting a pattern create it, and returns its dead-letter queue (to
 * alarm on). A queue defined in this app must have a dead-letter queue of its own kind with `maxReceiveCount` of at
 * least 2 and, when `consumer` drains it, a visibility timeout the consumer can work within. An imported queue
 * cannot be inspected: it gets a synth warning instead.
 */
export function checkExistingQueue(
  problems: Problems,
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
  checkQueueName(problems, 'ExistingQueue', (queue.node.defaultChild as sqs.CfnQueue).queueName, queue.fifo);
  checkFifoThroughput(problems, scope, 'ExistingQueue', queue);
  const dlq = queue.deadLetterQueue;
  if (dlq) {
    checkRedriveAllowed(problems, scope, 'ExistingQueue', dlq.queue, queue);
    checkFifoThroughput(problems, scope, 'ExistingQueue', dlq.queue);
  }
  if (problems.check(
    dlq !== undefined,
    'ExistingQueue.NoDeadLetterQueue',
    `the existing queue ${path} has no dead-letter queue, so a message that keeps failing is retried until it expires`,
    'give it a deadLetterQueue, or omit queue to let the construct create one',
  )) {
    problems.check(
      dlq!.queue.fifo === queue.fifo,
      'ExistingQueue.DeadLetterQueueKind',
      `the existing queue ${path} is ${queue.fifo ? 'FIFO' : 'standard'} but its dead-letter queue is not`,
      `use a ${queue.fifo ? 'FIFO' : 'standard'} dead-letter queue`,
    );
    problems.check(
      dlq!.maxReceiveCount >= 2 && inRange(dlq!.maxReceiveCount, SQS.maxReceiveCount),
      'ExistingQueue.MaxReceiveCount',
      `the existing queue ${path} moves a message to its dead-letter queue after ${dlq!.maxReceiveCount} receives`,
      `set maxReceiveCount from 2 to ${SQS.maxReceiveCount.max} (one throttled or timed-out receive must not ` +
        'dead-letter a message, and SQS refuses more)',
    );
  }
  if (consumer) {
    const required = requiredVisibilityTimeout(problems, consumer, options);
    const configured = (queue.node.defaultChild as sqs.CfnQueue).visibilityTimeout ?? SQS.defaultVisibilityTimeoutSeconds;
    if (required !== undefined && !Token.isUnresolved(configured)) {
      problems.check(
        configured >= required.toSeconds(),
        'ExistingQueue.VisibilityTimeoutTooShort',
        `the existing queue ${path} has a visibility timeout of ${configured} seconds, shorter than the ` +
          `${required.toSeconds()} seconds its consumer needs (6 × function timeout + batching window)`,
        `raise the queue's visibilityTimeout to at least ${required.toSeconds()} seconds`,
      );
    }
  }
  return dlq?.queue;
}
