import { Stack, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { SharedSlot } from './app-registry';
import { Problems } from './validation';

interface Claim {
  readonly scope: IConstruct;
  readonly queue: sqs.IQueue;
}

/** Which construct consumes each queue object. */
const queueOwner = new SharedSlot<string>('queueOwner');
/** The queues claimed in each stack, checked together once at synthesis (one pass over the stack, not one per queue). */
const stackClaims = new SharedSlot<Claim[]>('queueClaims');

/**
 * Claims `queue` for the consumer `scope` wires to it. Two consumers on one queue compete for messages, and Lambda
 * event filters on a shared queue delete the messages they do not match, so the other consumer silently never sees
 * them. A second claim is a problem at once (the same object, or a queue imported again with the same ARN in the
 * stack); any other event source mapping on the queue in the same stack (a trigger added outside these constructs)
 * fails synthesis.
 */
export function claimQueue(problems: Problems, scope: IConstruct, queue: sqs.IQueue): void {
  const stack = Stack.of(scope);
  let claims = stackClaims.get(stack);
  if (!claims) {
    claims = [];
    stackClaims.set(stack, claims);
    stack.node.addValidation({ validate: () => sharedQueueErrors(stack) });
  }
  const arn = Token.isUnresolved(queue.queueArn) ? undefined : queue.queueArn;
  const owner = queueOwner.get(queue) ?? (arn === undefined ? undefined : claims.find((c) => c.queue.queueArn === arn)?.scope.node.path);
  const free = problems.check(
    owner === undefined,
    'Queue.AlreadyConsumed',
    `queue ${queue.node.path} is already consumed by ${owner}`,
    'give each consumer its own queue (one subscriber or BufferedEventConsumer each); several rules can share one bus',
  );
  if (!free) return;
  queueOwner.set(queue, scope.node.path);
  claims.push({ scope, queue });
}

function sharedQueueErrors(stack: Stack): string[] {
  const mappingsByArn = new Map<string, string[]>();
  for (const c of stack.node.findAll()) {
    if (!(c instanceof lambda.CfnEventSourceMapping)) continue;
    const arn = JSON.stringify(stack.resolve(c.eventSourceArn));
    mappingsByArn.set(arn, [...(mappingsByArn.get(arn) ?? []), c.node.path]);
  }
  return (stackClaims.get(stack) ?? []).flatMap(({ scope, queue }) => {
    const mappings = mappingsByArn.get(JSON.stringify(stack.resolve(queue.queueArn))) ?? [];
    return mappings.length <= 1 ? [] : [
      `[${scope.node.path}] queue ${queue.node.path} has ${mappings.length} consumers (${mappings.join(', ')}). ` +
        'Fix: remove the other triggers; give each consumer its own queue. (Queue.SharedConsumers)',
    ];
  });
}
