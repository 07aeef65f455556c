import { Stack, Token } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { Problems, warn } from './validation';

/**
 * Checks the FIFO throughput settings of a queue defined in the app (SQS.fifoThroughputSource): SQS refuses
 * `fifoThroughputLimit: PER_MESSAGE_GROUP_ID` unless `deduplicationScope` is `MESSAGE_GROUP`; deduplication per message
 * group with the per-queue quota deploys but is not high throughput (a warning on `scope`). Imported queues are not
 * inspected: their settings are not in the app.
 */
export function checkFifoThroughput(problems: Problems, scope: IConstruct, idPrefix: string, queue: sqs.IQueue): void {
  if (!(queue instanceof sqs.Queue)) return;
  const cfn = queue.node.defaultChild as sqs.CfnQueue;
  const stack = Stack.of(queue);
  const scopeSetting = stack.resolve(cfn.deduplicationScope) ?? sqs.DeduplicationScope.QUEUE;
  const limit = stack.resolve(cfn.fifoThroughputLimit);
  if (typeof scopeSetting !== 'string' || Token.isUnresolved(scopeSetting)) return;
  problems.check(
    limit !== sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID || scopeSetting === sqs.DeduplicationScope.MESSAGE_GROUP,
    `${idPrefix}.FifoThroughputLimit`,
    `queue ${queue.node.path} sets fifoThroughputLimit perMessageGroupId with deduplicationScope ${scopeSetting}, which SQS refuses`,
    'set deduplicationScope: DeduplicationScope.MESSAGE_GROUP as well (high throughput needs both), or fifoThroughputLimit: PER_QUEUE',
  );
  if (scopeSetting === sqs.DeduplicationScope.MESSAGE_GROUP && limit !== sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID) {
    warn(scope, 'HalfHighThroughputFifo', `queue ${queue.node.path} deduplicates per message group but keeps the per-queue ` +
      'throughput quota, so it is not a high-throughput queue: add fifoThroughputLimit: FifoThroughputLimit.PER_MESSAGE_GROUP_ID ' +
      '(or drop deduplicationScope)');
  }
}

/**
 * Checks that dead-letter queue `dlq` accepts `source` as a source queue (SQS.redriveAllowSource): a redrive allow
 * policy of `denyAll`, or `byQueue` without the source among its queues, leaves SQS nowhere to move the source's failed
 * messages. `sourceName` is the source's literal queue name when it is known (a queue the construct is creating), so an
 * allow-list entry built from the name (`Stack.formatArn`) counts too. An entry that cannot be compared at synth (a
 * parameter, an import) is trusted. An imported dead-letter queue's policy is not in the app: a warning on `scope`.
 */
export function checkRedriveAllowed(
  problems: Problems,
  scope: IConstruct,
  idPrefix: string,
  dlq: sqs.IQueue,
  source: sqs.IQueue,
  sourceName?: string,
): void {
  if (!(dlq instanceof sqs.Queue)) {
    warn(scope, 'UncheckedDeadLetterQueue', `dead-letter queue ${dlq.node.path} is imported, so synth cannot check its redrive ` +
      `allow policy: make sure it allows ${source.node.path} (allowAll, or byQueue listing it)`);
    return;
  }
  const stack = Stack.of(dlq);
  const policy = stack.resolve((dlq.node.defaultChild as sqs.CfnQueue).redriveAllowPolicy) as
    { redrivePermission?: unknown; sourceQueueArns?: unknown[] } | undefined;
  const permission = policy?.redrivePermission;
  if (permission !== sqs.RedrivePermission.DENY_ALL && permission !== sqs.RedrivePermission.BY_QUEUE) return;
  const sourceArn = JSON.stringify(stack.resolve(source.queueArn));
  const name = sourceName ?? (source instanceof sqs.Queue ? stack.resolve((source.node.defaultChild as sqs.CfnQueue).queueName) : undefined);
  const verdicts = (policy?.sourceQueueArns ?? []).map((entry) => allowListEntry(entry, sourceArn, typeof name === 'string' ? name : undefined));
  const allowed = permission === sqs.RedrivePermission.BY_QUEUE && verdicts.some((v) => v !== 'other');
  problems.check(
    allowed,
    `${idPrefix}.RedriveNotAllowed`,
    `dead-letter queue ${dlq.node.path} has the redrive allow policy ${permission}${permission === sqs.RedrivePermission.BY_QUEUE ? ' without' : ', which excludes'} ` +
      `${source.node.path}, so SQS cannot move its failed messages there`,
    `list ${source.node.path} in the dead-letter queue's redriveAllowPolicy sourceQueues (byQueue), or use another dead-letter queue`,
  );
}

/** Whether one `sourceQueueArns` entry is the source queue, another queue, or cannot be told at synth. */
function allowListEntry(entry: unknown, sourceArn: string, sourceName: string | undefined): 'source' | 'other' | 'unknown' {
  if (JSON.stringify(entry) === sourceArn) return 'source';
  const tail = arnTail(entry);
  if (tail !== undefined) return sourceName !== undefined && tail === sourceName ? 'source' : (sourceName === undefined ? 'unknown' : 'other');
  // An attribute of another resource of the app is another queue; anything else (a parameter, an import) is unknown.
  return typeof entry === 'object' && entry !== null && 'Fn::GetAtt' in entry ? 'other' : 'unknown';
}

/** The queue name at the end of an ARN written as a string or as an Fn::Join ending in a literal `:name`. */
function arnTail(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry.includes(':') ? entry.slice(entry.lastIndexOf(':') + 1) : undefined;
  const join = (entry as { 'Fn::Join'?: [string, unknown[]] } | null)?.['Fn::Join'];
  const last = join?.[1]?.[join[1].length - 1];
  return typeof last === 'string' && last.includes(':') ? last.slice(last.lastIndexOf(':') + 1) : undefined;
}
