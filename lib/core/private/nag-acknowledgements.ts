import { Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The cdk-nag acknowledgements the library makes on its own resources, each on the exact resource it concerns and with
 * the reason a security reviewer would ask for. Findings on anything else stay visible.
 */

/** A queue that is itself a dead-letter, subscription dead-letter, rule-target dead-letter or on-failure queue. */
export function acknowledgeDeadLetterOnlyQueue(queue: IConstruct): void {
  const reason =
    'This queue is itself a dead-letter or on-failure destination queue; giving it a dead-letter queue (redrive ' +
    'policy) would only move the same messages one hop further. It keeps messages 14 days and has a depth alarm.';
  Validations.of(queue).acknowledge({ id: 'AwsSolutions-SQS3', reason });
  Validations.of(queue).acknowledge({ id: 'Serverless-SQSRedrivePolicy', reason });
}

/** An event source mapping that drains an SQS queue. */
export function acknowledgeSqsEventSource(mapping: IConstruct): void {
  Validations.of(mapping).acknowledge({
    id: 'Serverless-LambdaEventSourceMappingDestination',
    reason:
      'Lambda supports on-failure destinations only for stream and Kafka event sources, not SQS. A record that keeps ' +
      'failing returns to the queue and, after maxReceiveCount, moves to the queue\'s dead-letter queue, which is alarmed.',
  });
}

/** A function of the library, which handles failures without a function dead-letter queue. */
export function acknowledgeFunctionDeadLetterQueue(fn: IConstruct, invokedAsynchronously: boolean): void {
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason: invokedAsynchronously
      ? 'Failed asynchronous invocations go to an on-failure destination (an encrypted SQS queue with a depth alarm), ' +
        'which records the error and the request context that a function dead-letter queue would not; configuring both ' +
        'would split failures over two queues.'
      : 'A function dead-letter queue applies only to asynchronous invocations. This function is invoked by an SQS ' +
        'event source mapping or synchronously, where a failure returns to the queue (and its alarmed dead-letter ' +
        'queue) or to the caller. Functions invoked asynchronously set invokedAsynchronously and get an on-failure ' +
        'destination.',
  });
}

/**
 * A library function on the verified Node.js runtime while the app's aws-cdk-lib already knows a newer one (e.g.
 * nodejs26.x on aws-cdk-lib 2.278): AwsSolutions-L1 and Serverless-LambdaLatestVersion compare with the newest runtime
 * aws-cdk-lib lists. The library keeps the runtime it has tested (see the runtime policy in function-defaults.ts) so a
 * newer aws-cdk-lib never changes a deployed function's runtime by itself; the acknowledgement is added only while a
 * newer runtime exists, so on an aws-cdk-lib whose newest runtime is the verified one the rules still run unmuted.
 */
export function acknowledgeVerifiedRuntime(fn: IConstruct, runtime: string, newerRuntime: string): void {
  const reason =
    `The function runs ${runtime}, the newest Node.js runtime the library's handlers and layers are tested on, a ` +
    `runtime Lambda supports; aws-cdk-lib also knows ${newerRuntime}, which the library has not verified yet. Set ` +
    '`runtime` on the construct to move this function earlier.';
  Validations.of(fn).acknowledge({ id: 'AwsSolutions-L1', reason });
  Validations.of(fn).acknowledge({ id: 'Serverless-LambdaLatestVersion', reason });
}
