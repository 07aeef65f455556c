import { Duration, Token } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { IConstruct } from 'constructs';
import { BufferedEventInput } from './buffered-event-consumer';
import type { BufferedEventConsumerProps } from './buffered-event-consumer';
import { validateConsumerOptions } from '../core/queue-consumer';
import { check } from '../core/validation';

/** EventBridge retries a target at most 185 times, for at most 24 hours (and at least 60 seconds). */
const MAX_RETRY_ATTEMPTS = 185;
const MIN_EVENT_AGE = Duration.seconds(60);
const MAX_EVENT_AGE = Duration.hours(24);

export function validateBufferedConsumer(scope: IConstruct, props: BufferedEventConsumerProps): void {
  const fifo = props.fifo ?? false;
  check(
    Object.values(props.eventPattern ?? {}).some((v) => v !== undefined),
    scope,
    'eventPattern is empty, so the rule would buffer every event on the bus',
    'match at least a source or detail-type',
  );
  check(
    (props.consumer === undefined) !== (props.consumerProps === undefined),
    scope,
    props.consumer ? 'both consumer and consumerProps were given' : 'neither consumer nor consumerProps was given',
    'pass exactly one: your function as consumer, or consumerProps to let the construct create it',
  );
  check(
    !fifo || props.messageGroupIdPath !== undefined,
    scope,
    'a FIFO buffer queue needs a message group source, but messageGroupIdPath was not given',
    'pass messageGroupIdPath, e.g. "$.detail.orderId" (events of one group stay in order)',
  );
  check(
    fifo || props.messageGroupIdPath === undefined,
    scope,
    `messageGroupIdPath "${props.messageGroupIdPath}" was given for a standard queue`,
    'pass fifo: true, or drop messageGroupIdPath',
  );
  if (props.messageGroupIdPath !== undefined && !Token.isUnresolved(props.messageGroupIdPath)) {
    check(
      /^\$(\.[A-Za-z0-9_-]+)+$/.test(props.messageGroupIdPath),
      scope,
      `messageGroupIdPath "${props.messageGroupIdPath}" is not a JSON path into the event`,
      'use a path like "$.detail.orderId"',
    );
    check(
      props.input !== BufferedEventInput.DETAIL || props.messageGroupIdPath.startsWith('$.detail.'),
      scope,
      `messageGroupIdPath "${props.messageGroupIdPath}" points outside $.detail, but only the detail is buffered`,
      'use a path inside $.detail, or input: BufferedEventInput.WHOLE_EVENT',
    );
  }
  check(
    props.eventBus === undefined || props.eventBusProps === undefined,
    scope,
    'both eventBus and eventBusProps were given',
    'pass eventBus to use an existing bus, or eventBusProps to create one',
  );
  // aws-cdk-lib drops the aws:SourceArn condition when the rule's target queue has a customer managed key (the key
  // policy cannot name the rule without a dependency cycle), which would let any rule send to the queue.
  if (!fifo) {
    const kms = props.queueProps?.encryption === sqs.QueueEncryption.KMS || props.queueProps?.encryptionMasterKey !== undefined ||
      props.queue?.encryptionMasterKey !== undefined;
    check(
      !kms,
      scope,
      'the buffer queue has a customer managed KMS key, so its policy cannot limit senders to this rule',
      'use SQS-managed encryption (the default), or fifo: true (the rule then sends to an SQS-managed ingest queue)',
    );
  }
  if (props.queue) {
    check(
      props.queue.fifo === fifo,
      scope,
      `the existing queue ${props.queue.node.path} is ${props.queue.fifo ? 'FIFO' : 'standard'} but fifo is ${fifo}`,
      `pass fifo: ${props.queue.fifo}, or a ${fifo ? 'FIFO' : 'standard'} queue`,
    );
    check(
      props.queueProps === undefined,
      scope,
      'both an existing queue and queueProps were given',
      'queueProps only shape a queue the construct creates: drop one of them',
    );
  }
  check(
    props.queueProps?.fifo === undefined,
    scope,
    'queueProps.fifo was given',
    'use the fifo property of the construct (it also configures the rule target)',
  );
  const retries = props.retryAttempts ?? MAX_RETRY_ATTEMPTS;
  check(
    Number.isInteger(retries) && retries >= 0 && retries <= MAX_RETRY_ATTEMPTS,
    scope,
    `retryAttempts ${retries} is outside 0..${MAX_RETRY_ATTEMPTS}`,
    `use an integer from 0 to ${MAX_RETRY_ATTEMPTS}`,
  );
  const age = props.maxEventAge ?? MAX_EVENT_AGE;
  check(
    age.toSeconds() >= MIN_EVENT_AGE.toSeconds() && age.toSeconds() <= MAX_EVENT_AGE.toSeconds(),
    scope,
    `maxEventAge ${age.toHumanString()} is outside 1 minute..24 hours`,
    'use a value from 60 seconds to 24 hours',
  );
  validateConsumerOptions(scope, props, fifo);
}
