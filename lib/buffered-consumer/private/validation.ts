import { Duration, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { validateConsumerOptions } from '../../core/private/consumer-options';
import { EVENTBRIDGE, PIPES } from '../../core/private/limits';
import { checkRuleDescription } from '../../core/private/names';
import { awsManagedQueueKey } from '../../core/private/queue-encryption';
import { regionWithout } from '../../core/private/regions';
import { Problems, warn } from '../../core/private/validation';
import type { BufferedEventConsumerProps } from '../buffered-event-consumer';
import { BufferedEventInput } from '../contract';
import { pathInRecord } from './fifo-ingest';

/** EventBridge retries a target at most 185 times, for at most 24 hours (and at least 60 seconds). */
const MAX_RETRY_ATTEMPTS = EVENTBRIDGE.retryAttempts.max;
const MIN_EVENT_AGE = Duration.seconds(EVENTBRIDGE.maxEventAgeSeconds.min);
const MAX_EVENT_AGE = Duration.seconds(EVENTBRIDGE.maxEventAgeSeconds.max);

export function validateBufferedConsumer(problems: Problems, scope: IConstruct, props: BufferedEventConsumerProps): void {
  const fifo = props.fifo ?? false;
  problems.check(
    Object.values(props.eventPattern ?? {}).some((v) => v !== undefined),
    'BufferedEventConsumer.EmptyEventPattern',
    'eventPattern is empty, so the rule would buffer every event on the bus',
    'match at least a source or detail-type',
  );
  problems.check(
    (props.consumer === undefined) !== (props.consumerProps === undefined),
    'BufferedEventConsumer.ConsumerChoice',
    props.consumer ? 'both consumer and consumerProps were given' : 'neither consumer nor consumerProps was given',
    'pass exactly one: your function as consumer, or consumerProps to let the construct create it',
  );
  problems.check(
    !fifo || props.messageGroupIdPath !== undefined,
    'BufferedEventConsumer.FifoWithoutGroupPath',
    'a FIFO buffer queue needs a message group source, but messageGroupIdPath was not given',
    'pass messageGroupIdPath, e.g. "$.detail.orderId" (events of one group stay in order)',
  );
  problems.check(
    fifo || props.messageGroupIdPath === undefined,
    'BufferedEventConsumer.GroupPathWithoutFifo',
    `messageGroupIdPath "${props.messageGroupIdPath}" was given for a standard queue`,
    'pass fifo: true, or drop messageGroupIdPath',
  );
  if (props.messageGroupIdPath !== undefined && !Token.isUnresolved(props.messageGroupIdPath)) {
    problems.check(
      /^\$(\.[A-Za-z0-9_-]+)+$/.test(props.messageGroupIdPath),
      'BufferedEventConsumer.GroupPathSyntax',
      `messageGroupIdPath "${props.messageGroupIdPath}" is not a JSON path into the event`,
      'use a path like "$.detail.orderId"',
    );
    const recordPath = pathInRecord(props.messageGroupIdPath, props.input ?? BufferedEventInput.WHOLE_EVENT);
    problems.check(
      recordPath.length <= PIPES.targetPathLength.max,
      'BufferedEventConsumer.GroupPathLength',
      `messageGroupIdPath becomes the pipe path "${recordPath}" (${recordPath.length} characters); Pipes allows ${PIPES.targetPathLength.max}`,
      'use a shorter path to the group field',
    );
    problems.check(
      props.input !== BufferedEventInput.DETAIL || props.messageGroupIdPath.startsWith('$.detail.'),
      'BufferedEventConsumer.GroupPathOutsideDetail',
      `messageGroupIdPath "${props.messageGroupIdPath}" points outside $.detail, but only the detail is buffered`,
      'use a path inside $.detail, or input: BufferedEventInput.WHOLE_EVENT',
    );
  }
  problems.check(
    props.eventBus === undefined || props.eventBusProps === undefined,
    'BufferedEventConsumer.BusChoice',
    'both eventBus and eventBusProps were given',
    'pass eventBus to use an existing bus, or eventBusProps to create one',
  );
  // aws-cdk-lib drops the aws:SourceArn condition when the rule's target queue has a customer managed key (the key
  // policy cannot name the rule without a dependency cycle), which would let any rule send to the queue.
  if (!fifo) {
    const kms = props.queueProps?.encryption === sqs.QueueEncryption.KMS || props.queueProps?.encryptionKey !== undefined ||
      props.queue?.encryptionMasterKey !== undefined;
    problems.check(
      !kms,
      'BufferedEventConsumer.KmsBufferWithoutFifo',
      'the buffer queue has a customer managed KMS key, so its policy cannot limit senders to this rule',
      'use SQS-managed encryption (the default), or fifo: true (the rule then sends to an SQS-managed ingest queue)',
    );
    // The AWS managed key's policy cannot be changed to admit events.amazonaws.com, so EventBridge cannot send
    // (KMS.awsManagedQueueKeySource). Found however the key came: the enum, an alias, an alias ARN or a lookup.
    const managedKey = awsManagedQueueKey(props.queueProps, props.queue);
    problems.check(
      managedKey === undefined,
      'BufferedEventConsumer.AwsManagedKeyBuffer',
      `the buffer queue is encrypted with the AWS managed key ${managedKey}, whose key policy does not let EventBridge use it`,
      'use SQS-managed encryption (the default), or fifo: true (the rule then sends to an SQS-managed ingest queue)',
    );
  }
  if (props.queue) {
    problems.check(
      props.queue.fifo === fifo,
      'BufferedEventConsumer.ExistingQueueKind',
      `the existing queue ${props.queue.node.path} is ${props.queue.fifo ? 'FIFO' : 'standard'} but fifo is ${fifo}`,
      `pass fifo: ${props.queue.fifo}, or a ${fifo ? 'FIFO' : 'standard'} queue`,
    );
    problems.check(
      props.queueProps === undefined,
      'BufferedEventConsumer.QueueAndQueueProps',
      'both an existing queue and queueProps were given',
      'queueProps only shape a queue the construct creates: drop one of them',
    );
  }
  problems.check(
    props.queueProps?.fifo === undefined,
    'BufferedEventConsumer.QueuePropsFifo',
    'queueProps.fifo was given',
    'use the fifo property of the construct (it also configures the rule target)',
  );
  const retries = props.retryAttempts ?? MAX_RETRY_ATTEMPTS;
  problems.check(
    Number.isInteger(retries) && retries >= 0 && retries <= MAX_RETRY_ATTEMPTS,
    'BufferedEventConsumer.RetryAttempts',
    `retryAttempts ${retries} is outside 0..${MAX_RETRY_ATTEMPTS}`,
    `use an integer from 0 to ${MAX_RETRY_ATTEMPTS}`,
  );
  const age = props.maxEventAge ?? MAX_EVENT_AGE;
  problems.check(
    age.toSeconds() >= MIN_EVENT_AGE.toSeconds() && age.toSeconds() <= MAX_EVENT_AGE.toSeconds(),
    'BufferedEventConsumer.MaxEventAge',
    `maxEventAge ${age.toHumanString()} is outside 1 minute..24 hours`,
    'use a value from 60 seconds to 24 hours',
  );
  validateConsumerOptions(problems, props, fifo);
  validateEventPattern(problems, scope, props.eventPattern);
  if (fifo) validatePipeRegion(problems, scope);
  checkRuleDescription(problems, 'BufferedEventConsumer', props.ruleDescription);
}

/** EventBridge refuses a pattern with an empty list anywhere in it; a pattern over the default size quota is flagged. */
function validateEventPattern(problems: Problems, scope: IConstruct, pattern: events.EventPattern | undefined): void {
  if (!pattern) return;
  const rendered = renderEventPattern(pattern);
  const empty = emptyListPaths(rendered, '');
  problems.check(
    empty.length === 0,
    'BufferedEventConsumer.EmptyPatternList',
    `eventPattern has an empty list at ${empty.join(', ')}, which EventBridge refuses (a list must hold the values to match)`,
    'remove the key, or list at least one value',
  );
  const size = JSON.stringify(rendered).length;
  // A quota the account can raise: a warning, not an error.
  if (size > EVENTBRIDGE.eventPatternDefaultQuota.max) {
    warn(scope, 'EventPatternSize', `eventPattern is ${size} characters long, above EventBridge's default quota of ` +
      `${EVENTBRIDGE.eventPatternDefaultQuota.max}: raise the quota, or match on fewer values (prefix or anything-but matching ` +
      'often replaces long lists)');
  }
}

/** The pattern as EventBridge sees it (`detailType` becomes `detail-type`, and so on). */
function renderEventPattern(pattern: events.EventPattern): unknown {
  const names: Record<string, string> = { detailType: 'detail-type' };
  return Object.fromEntries(Object.entries(pattern).filter(([, v]) => v !== undefined).map(([k, v]) => [names[k] ?? k, v]));
}

function emptyListPaths(value: unknown, path: string): string[] {
  if (Array.isArray(value)) return value.length === 0 ? [path || '(root)'] : value.flatMap((v, i) => emptyListPaths(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => emptyListPaths(v, path ? `${path}.${k}` : k));
  }
  return [];
}

/** FIFO buffering moves events through an EventBridge Pipe, which some regions do not offer. */
function validatePipeRegion(problems: Problems, scope: IConstruct): void {
  const region = regionWithout(scope, PIPES.unavailableRegions);
  problems.check(
    region === undefined,
    'BufferedEventConsumer.PipesUnavailable',
    `fifo: true needs EventBridge Pipes, which region ${region} does not offer`,
    'deploy to a region with EventBridge Pipes, or buffer in a standard queue (fifo: false)',
  );
}
