import { Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cxapi from 'aws-cdk-lib/cx-api';
import { Construct } from 'constructs';
import { validateBodyFilterPolicy, validateFilterPolicy } from './private/validation';
import { QueueAlarmOptions } from '../core/alarms';
import { AlarmFactory, oldestMessageAgeMetric, visibleMessagesMetric } from '../core/private/alarm-factory';
import { validateConsumerOptions } from '../core/private/consumer-options';
import { addQueueConsumer } from '../core/private/event-source';
import { checkExistingQueue } from '../core/private/existing-queue';
import { awsManagedKeyAlias } from '../core/private/managed-keys';
import { claimQueue } from '../core/private/queue-claims';
import { awsManagedQueueKey } from '../core/private/queue-encryption';
import { Problems, warn } from '../core/private/validation';
import { consumerQueueVisibilityTimeout } from '../core/private/visibility';
import { QueueConsumerOptions } from '../core/queue-consumer';
import { SecureQueue, SecureQueueProps } from '../core/secure-queue';

/** Options of one subscriber of a {@link FifoFanout}. */
export interface FifoSubscriberOptions extends QueueConsumerOptions {
  /**
   * Deliver only messages whose attributes match (e.g. `eventType` allow-list).
   * @default - every message
   */
  readonly filterPolicy?: { [attribute: string]: sns.SubscriptionFilter };
  /**
   * Deliver only messages whose JSON body matches. Exclusive with `filterPolicy`.
   * @default - every message
   */
  readonly filterPolicyWithMessageBody?: { [field: string]: sns.FilterOrPolicy };
  /**
   * Deliver the published message as-is instead of the SNS JSON envelope, so consumers read the body and SQS
   * message attributes directly.
   * @default true
   */
  readonly rawMessageDelivery?: boolean;
  /**
   * An existing FIFO queue to subscribe instead of creating one. A queue defined in your app must have a FIFO
   * dead-letter queue (`maxReceiveCount` at least 2) and, with a consumer, a visibility timeout of at least 6 × the
   * consumer timeout; it gets the same alarms. An imported queue cannot be checked: you get a synth warning.
   * @default - a new FIFO queue with a FIFO dead-letter queue
   */
  readonly queue?: sqs.IQueue;
  /**
   * Settings of the queue the construct creates (name, retention, `maxReceiveCount`, encryption, dead-letter
   * queue...). `fifo` is always true.
   * @default - SecureQueue defaults, FIFO, high throughput, visibility timeout derived from the consumer
   */
  readonly queueProps?: SecureQueueProps;
  /**
   * A Lambda function that drains the queue (SQS event source with partial batch responses).
   * @default - no consumer; read the queue yourself
   */
  readonly consumer?: lambda.IFunction;
}

/** Properties of a {@link FifoSubscriber}. */
export interface FifoSubscriberProps extends FifoSubscriberOptions, QueueAlarmOptions {
  /** The FIFO topic to subscribe to. */
  readonly topic: sns.ITopic;
}

/**
 * One FIFO queue subscribed to a FIFO topic, with a queue dead-letter queue, a subscription dead-letter queue for
 * messages SNS cannot deliver, and an optional Lambda consumer.
 */
export class FifoSubscriber extends Construct {
  /** The subscribed FIFO queue. */
  public readonly queue: sqs.IQueue;
  /** The queue's dead-letter queue (undefined when an imported queue was subscribed). */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** Where SNS puts messages it could not deliver to the queue (e.g. the queue policy or key denied it). */
  public readonly subscriptionDeadLetterQueue: sqs.IQueue;
  /** The SNS subscription. */
  public readonly subscription: sns.Subscription;
  /** The consumer, when one was given. */
  public readonly consumer?: lambda.IFunction;
  /** Alarms of this subscriber. */
  public readonly alarms: cloudwatch.IAlarm[];

  constructor(scope: Construct, id: string, props: FifoSubscriberProps) {
    super(scope, id);
    const problems = new Problems(this);
    validateSubscriber(problems, id, props);
    const alarms = new AlarmFactory(props);

    if (props.queue) {
      this.queue = props.queue;
      this.deadLetterQueue = checkExistingQueue(problems, this, props.queue, props.consumer, props);
      problems.throwIfAny();
    } else {
      const visibilityTimeout = props.consumer
        ? consumerQueueVisibilityTimeout(problems, props.consumer, props, props.queueProps?.visibilityTimeout)
        : props.queueProps?.visibilityTimeout;
      // Every problem in the props is reported before the queue's own checks run.
      problems.throwIfAny();
      const owned = new SecureQueue(this, 'Queue', { ...props.queueProps, fifo: true, visibilityTimeout });
      this.queue = owned.queue;
      this.deadLetterQueue = owned.deadLetterQueue;
    }

    // SNS can use only the key it is granted on (the subscribed queue's): a customer managed key of its own would
    // leave SNS unable to write undeliverable messages to the subscription DLQ, so it shares the queue's key.
    const queueKey = this.queue.encryptionMasterKey;
    const subscriptionDlq = new SecureQueue(this, 'SubscriptionDeadLetterQueue', {
      fifo: true,
      isDeadLetterQueueOnly: true,
      ...(queueKey ? { encryption: sqs.QueueEncryption.KMS, encryptionKey: queueKey } : {}),
    });
    this.subscriptionDeadLetterQueue = subscriptionDlq.queue;
    if (queueKey) warnIfKeyCannotAdmitSns(this, this.queue, queueKey, props.topic);

    // SqsSubscription adds the queue policy that lets only this topic (aws:SourceArn) send, and the DLQ policy.
    const subscription = new subscriptions.SqsSubscription(this.queue, {
      rawMessageDelivery: props.rawMessageDelivery ?? true,
      filterPolicy: props.filterPolicy,
      filterPolicyWithMessageBody: props.filterPolicyWithMessageBody,
      deadLetterQueue: this.subscriptionDeadLetterQueue,
    });
    const { subscriptionDependency, ...config } = subscription.bind(topicRestrictingKeyUse(this, props.topic));
    if (props.topic instanceof sns.Topic && props.topic.stack !== Stack.of(this.queue)) Stack.of(this.queue).addDependency(props.topic.stack);
    this.subscription = new sns.Subscription(this, 'Subscription', { topic: props.topic, ...config });
    // SNS may deliver as soon as the subscription exists: the queue policy must be in place first.
    if (subscriptionDependency) this.subscription.node.addDependency(subscriptionDependency);

    if (props.consumer) {
      claimQueue(problems, this, this.queue);
      problems.throwIfAny();
      addQueueConsumer(this.queue, props.consumer, props);
      this.consumer = props.consumer;
      alarms.functionErrors(this, 'ConsumerErrorsAlarm', props.consumer, `${id} consumer`);
    }
    if (this.deadLetterQueue) {
      alarms.deadLetterQueueDepth(this, 'DeadLetterQueueAlarm', this.deadLetterQueue, `${id} dead-letter queue`);
    }
    alarms.deadLetterQueueDepth(
      this,
      'SubscriptionDeadLetterQueueAlarm',
      this.subscriptionDeadLetterQueue,
      `${id} subscription dead-letter queue`,
    );
    alarms.oldestMessageAge(this, 'OldestMessageAlarm', this.queue, `${id} queue`);
    this.alarms = alarms.alarms;
  }

  /**
   * Age of the oldest message in this subscriber's queue, seconds (maximum per minute): the consumer falling behind.
   * The subscriber's backlog alarm watches this metric.
   */
  public metricApproximateAgeOfOldestMessage(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return oldestMessageAgeMetric(this.queue, props);
  }

  /**
   * Messages in the queue's dead-letter queue (maximum per minute): records the consumer kept failing. Undefined when
   * an imported queue was subscribed (its dead-letter queue is not known).
   */
  public metricDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric | undefined {
    return this.deadLetterQueue ? visibleMessagesMetric(this.deadLetterQueue, props) : undefined;
  }

  /** Messages in the subscription's dead-letter queue (maximum per minute): messages SNS could not deliver to the queue. */
  public metricSubscriptionDeadLetterQueueDepth(props?: cloudwatch.MetricOptions): cloudwatch.Metric {
    return visibleMessagesMetric(this.subscriptionDeadLetterQueue, props);
  }
}

function validateSubscriber(problems: Problems, id: string, props: FifoSubscriberProps): void {
  problems.check(
    !(props.filterPolicy && props.filterPolicyWithMessageBody),
    'FifoSubscriber.TwoFilterPolicies',
    `subscriber ${id} has both filterPolicy and filterPolicyWithMessageBody`,
    'SNS applies one filter policy scope per subscription: keep one of them',
  );
  validateFilterPolicy(problems, id, props.filterPolicy);
  validateBodyFilterPolicy(problems, id, props.filterPolicyWithMessageBody);
  if (props.queue) {
    problems.check(
      props.queue.fifo,
      'FifoSubscriber.StandardQueue',
      `FIFO topic ${props.topic.node.path} cannot deliver to standard queue ${props.queue.node.path}`,
      'subscribe a FIFO queue (name ending in .fifo), or omit queue to get one',
    );
    problems.check(
      props.queueProps === undefined,
      'FifoSubscriber.QueueAndQueueProps',
      `subscriber ${id} was given both an existing queue and queueProps`,
      'queueProps only shape a queue the construct creates: drop one of them',
    );
  }
  problems.check(
    props.queueProps?.fifo !== false,
    'FifoSubscriber.StandardQueueProps',
    `subscriber ${id} asks for a standard queue (queueProps.fifo: false) on a FIFO topic`,
    'drop queueProps.fifo: subscribers of a FIFO topic are always FIFO',
  );
  // The AWS managed key's policy cannot be changed to admit sns.amazonaws.com, so SNS could not deliver
  // (KMS.awsManagedQueueKeySource). Found however the key came: the enum, an alias, an alias ARN or a lookup.
  const managedKey = awsManagedQueueKey(props.queueProps, props.queue);
  problems.check(
    managedKey === undefined,
    'FifoSubscriber.AwsManagedKeyQueue',
    `subscriber ${id}'s queue is encrypted with the AWS managed key ${managedKey}, whose key policy does not let SNS use it`,
    'use SQS-managed encryption (the default) or a customer managed key (encryption: KMS), which SNS is granted',
  );
  validateConsumerOptions(problems, props, true);
  problems.check(
    props.consumer !== undefined ||
      (props.batchSize === undefined && props.maxConcurrency === undefined && props.consumerTimeout === undefined),
    'FifoSubscriber.ConsumerOptionsWithoutConsumer',
    `subscriber ${id} has consumer options but no consumer`,
    'pass consumer, or drop batchSize/maxConcurrency/consumerTimeout',
  );
}

/**
 * The topic as SqsSubscription sees it, seen from a scope where aws-cdk-lib's "restrict SQS decryption" behaviour is
 * on, whatever the app's feature flags: without it, the statement it adds to the queue's key lets SNS use the key for
 * any topic of any account; with it, only for this topic (aws:SourceArn, "The confused deputy problem", IAM user
 * guide, https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html). The queue policy is limited to the
 * topic either way.
 */
function topicRestrictingKeyUse(scope: Construct, topic: sns.ITopic): sns.ITopic {
  const flagged = new Construct(scope, 'SubscribedTopic');
  flagged.node.setContext(cxapi.SNS_SUBSCRIPTIONS_SQS_DECRYPTION_POLICY, true);
  return sns.Topic.fromTopicAttributes(flagged, 'Topic', { topicArn: topic.topicArn });
}

/**
 * SNS encrypts what it delivers to a KMS-encrypted queue with the queue's key, so the key policy must let
 * sns.amazonaws.com use it (SQS developer guide, "Enable compatibility between AWS services such as Amazon SNS and
 * encrypted queues", https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html). SqsSubscription
 * adds that statement to a key defined in the app; on a key imported into it (`kms.Key.fromKeyArn`, `fromLookup`) the
 * statement is silently dropped, and every delivery would fail. AWS managed keys are refused earlier
 * (`FifoSubscriber.AwsManagedKeyQueue`).
 */
function warnIfKeyCannotAdmitSns(scope: Construct, queue: sqs.IQueue, key: kms.IKey, topic: sns.ITopic): void {
  if (key instanceof kms.Key || awsManagedKeyAlias(key) !== undefined) return;
  const topicArn = Token.isUnresolved(topic.topicArn) ? `the ARN of ${topic.node.path}` : topic.topicArn;
  warn(scope, 'ImportedQueueKey',
    `queue ${queue.node.path} is encrypted with the imported key ${key.node.path}, whose key policy this app cannot change, ` +
    'so SNS cannot be granted its use and every delivery to the queue would fail. Fix: add to that key\'s policy a ' +
    'statement allowing the service principal sns.amazonaws.com kms:GenerateDataKey and kms:Decrypt with the condition ' +
    `ArnEquals aws:SourceArn = ${topicArn}; or pass a key defined in this app (kms.Key), or use SQS-managed encryption.`);
}
