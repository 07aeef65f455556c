import { Duration, Names, Stack } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { inRange, SQS } from './private/limits';
import { acknowledgeDeadLetterOnlyQueue } from './private/nag-acknowledgements';
import { checkQueueName, FIFO_SUFFIX } from './private/names';
import { checkFifoThroughput, checkRedriveAllowed } from './private/queue-inspection';
import { Problems } from './private/validation';

/** SQS keeps a message at most 14 days. */
const MAX_RETENTION = Duration.seconds(SQS.retentionSeconds.max);

/** Properties of a {@link SecureQueue}. */
export interface SecureQueueProps {
  /**
   * A FIFO queue (and FIFO dead-letter queue).
   * @default false
   */
  readonly fifo?: boolean;
  /**
   * The queue name. FIFO names must end in `.fifo`.
   * @default - a name derived from the construct path, so the dead-letter queue can name its only allowed source
   */
  readonly queueName?: string;
  /**
   * Server-side encryption.
   * @default sqs.QueueEncryption.SQS_MANAGED (works with SNS and EventBridge senders without key policies)
   */
  readonly encryption?: sqs.QueueEncryption;
  /**
   * The customer managed key, with `encryption: sqs.QueueEncryption.KMS`. It encrypts the queue and the dead-letter
   * queue the construct creates.
   * @default - with `encryption: KMS`, one new customer managed key with automatic rotation, shared by the queue and
   * its dead-letter queue (aws-cdk-lib alone would create a key per queue, without rotation)
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * How long the queue keeps a message.
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;
  /**
   * How long the dead-letter queue keeps a message. It must be longer than `retentionPeriod`: a message keeps its
   * original enqueue time when it is moved, so an equal retention could expire it the moment it lands.
   * @default Duration.days(14)
   */
  readonly deadLetterQueueRetentionPeriod?: Duration;
  /**
   * Receives before a message moves to the dead-letter queue. 1 is rejected: a single throttled or timed-out
   * receive would dead-letter a healthy message.
   * @default 3
   */
  readonly maxReceiveCount?: number;
  /**
   * The visibility timeout. Consumers of the library derive it from the function timeout; see
   * `consumerVisibilityTimeout`.
   * @default Duration.seconds(30)
   */
  readonly visibilityTimeout?: Duration;
  /**
   * High-throughput FIFO: deduplication per message group and throughput quota per message group id.
   * @default true for FIFO queues
   */
  readonly highThroughputFifo?: boolean;
  /**
   * Content-based deduplication for FIFO queues.
   * @default false (senders supply deduplication ids)
   */
  readonly contentBasedDeduplication?: boolean;
  /**
   * Use an existing dead-letter queue instead of creating one. Its FIFO-ness must match.
   * @default - a new dead-letter queue with the same encryption
   */
  readonly deadLetterQueue?: sqs.IQueue;
  /**
   * Create only a dead-letter style queue (14-day retention, no DLQ of its own), for on-failure destinations and
   * SNS subscription or rule-target dead-letter queues.
   * @default false
   */
  readonly isDeadLetterQueueOnly?: boolean;
}

/**
 * An SQS queue with the library's secure defaults: SSE, TLS-only access, and a dead-letter queue that keeps
 * messages longer than its source and accepts redrive only from that source queue.
 */
export class SecureQueue extends Construct {
  /** The queue. */
  public readonly queue: sqs.Queue;
  /** The dead-letter queue (undefined for a dead-letter-only queue). */
  public readonly deadLetterQueue?: sqs.IQueue;
  /** The receive count after which messages move to the dead-letter queue. */
  public readonly maxReceiveCount: number;
  /** The customer managed key of the queue and its dead-letter queue, with `encryption: KMS` (given or created). */
  public readonly encryptionKey?: kms.IKey;

  constructor(scope: Construct, id: string, props: SecureQueueProps = {}) {
    super(scope, id);
    const fifo = props.fifo ?? false;
    const maxReceiveCount = props.maxReceiveCount ?? 3;
    const retention = props.retentionPeriod ?? (props.isDeadLetterQueueOnly ? MAX_RETENTION : Duration.days(4));
    const dlqRetention = props.deadLetterQueueRetentionPeriod ?? MAX_RETENTION;
    const problems = new Problems(this);
    validate(problems, props, fifo, maxReceiveCount, retention, dlqRetention);
    problems.throwIfAny();

    const encryption = props.encryption ?? sqs.QueueEncryption.SQS_MANAGED;
    // One key for the queue and its dead-letter queue: a message moved between them stays readable by whoever may
    // read the queue, and one key is one key policy to keep right. Rotation on (yearly, AWS KMS "Rotating AWS KMS
    // keys", https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html): old material still decrypts.
    this.encryptionKey = props.encryptionKey ?? (encryption === sqs.QueueEncryption.KMS
      ? new kms.Key(this, 'Key', {
        enableKeyRotation: true,
        description: `Encrypts the queue ${this.node.path} and its dead-letter queue`,
      })
      : undefined);
    const common = {
      fifo: fifo || undefined,
      encryption,
      encryptionMasterKey: this.encryptionKey,
      enforceSSL: true,
    };
    // A dead-letter queue sees a trickle of messages: high-throughput mode only matters for work queues.
    const highThroughput = fifo && !props.isDeadLetterQueueOnly && (props.highThroughputFifo ?? true);
    const queueName = props.queueName ?? this.generatedName(fifo);

    let deadLetterQueue: sqs.IQueue | undefined;
    if (!props.isDeadLetterQueueOnly) {
      deadLetterQueue =
        props.deadLetterQueue ??
        new sqs.Queue(this, 'DeadLetterQueue', {
          ...common,
          retentionPeriod: dlqRetention,
          // Only the source queue may redrive into this DLQ, so a stray queue cannot fill it.
          redriveAllowPolicy: {
            redrivePermission: sqs.RedrivePermission.BY_QUEUE,
            sourceQueues: [sqs.Queue.fromQueueArn(this, 'Source', this.arnOfQueueNamed(queueName))],
          },
        });
    }
    this.queue = new sqs.Queue(this, 'Queue', {
      ...common,
      queueName,
      retentionPeriod: retention,
      visibilityTimeout: props.visibilityTimeout,
      contentBasedDeduplication: fifo ? props.contentBasedDeduplication ?? false : undefined,
      deduplicationScope: highThroughput ? sqs.DeduplicationScope.MESSAGE_GROUP : undefined,
      fifoThroughputLimit: highThroughput ? sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID : undefined,
      deadLetterQueue: deadLetterQueue ? { queue: deadLetterQueue, maxReceiveCount } : undefined,
    });
    if (props.deadLetterQueue) {
      // A dead-letter queue passed in is someone else's: its redrive allow policy and FIFO settings must admit this queue.
      checkRedriveAllowed(problems, this, 'SecureQueue', props.deadLetterQueue, this.queue, queueName);
      checkFifoThroughput(problems, this, 'SecureQueue', props.deadLetterQueue);
      problems.throwIfAny();
    }
    if (props.isDeadLetterQueueOnly) acknowledgeDeadLetterOnlyQueue(this.queue);
    if (deadLetterQueue instanceof sqs.Queue && !props.deadLetterQueue) acknowledgeDeadLetterOnlyQueue(deadLetterQueue);
    this.deadLetterQueue = deadLetterQueue;
    this.maxReceiveCount = maxReceiveCount;
  }

  private generatedName(fifo: boolean): string {
    const suffix = fifo ? FIFO_SUFFIX : '';
    return Names.uniqueResourceName(this, { maxLength: SQS.nameLength.max - suffix.length, separator: '-' }) + suffix;
  }

  private arnOfQueueNamed(queueName: string): string {
    return Stack.of(this).formatArn({ service: 'sqs', resource: queueName });
  }
}

function validate(
  problems: Problems,
  props: SecureQueueProps,
  fifo: boolean,
  maxReceiveCount: number,
  retention: Duration,
  dlqRetention: Duration,
): void {
  problems.check(
    maxReceiveCount >= 2 && inRange(maxReceiveCount, SQS.maxReceiveCount),
    'SecureQueue.MaxReceiveCount',
    `maxReceiveCount ${maxReceiveCount} is not allowed`,
    'use an integer from 2 to 1000 (default 3); 1 dead-letters a message after a single throttled or timed-out receive',
  );
  checkQueueName(problems, 'SecureQueue', props.queueName, fifo);
  if (props.deadLetterQueue) {
    problems.check(
      props.deadLetterQueue.fifo === fifo,
      'SecureQueue.DeadLetterQueueKind',
      `${fifo ? 'FIFO' : 'standard'} queue cannot use the ${props.deadLetterQueue.fifo ? 'FIFO' : 'standard'} dead-letter queue ${props.deadLetterQueue.node.path}`,
      `pass a ${fifo ? 'FIFO' : 'standard'} dead-letter queue, or omit deadLetterQueue to get a matching one`,
    );
  }
  problems.check(
    retention.toSeconds() <= MAX_RETENTION.toSeconds() && dlqRetention.toSeconds() <= MAX_RETENTION.toSeconds(),
    'SecureQueue.Retention',
    `retention ${retention.toHumanString()} / dead-letter retention ${dlqRetention.toHumanString()} exceeds the SQS maximum`,
    'use at most 14 days',
  );
  if (!props.isDeadLetterQueueOnly && !props.deadLetterQueue) {
    problems.check(
      dlqRetention.toSeconds() > retention.toSeconds(),
      'SecureQueue.DeadLetterRetention',
      `dead-letter retention ${dlqRetention.toHumanString()} is not longer than the queue retention ${retention.toHumanString()}`,
      'make deadLetterQueueRetentionPeriod longer (max 14 days) or retentionPeriod shorter: moved messages keep their original enqueue time',
    );
  }
  problems.check(
    props.encryptionKey === undefined || props.encryption === sqs.QueueEncryption.KMS,
    'SecureQueue.KeyWithoutKms',
    'encryptionKey was given without encryption: QueueEncryption.KMS',
    'pass encryption: sqs.QueueEncryption.KMS with the key, or drop the key',
  );
  problems.check(
    fifo || (props.highThroughputFifo === undefined && props.contentBasedDeduplication === undefined),
    'SecureQueue.FifoOnlyOption',
    'highThroughputFifo / contentBasedDeduplication only apply to FIFO queues',
    'pass fifo: true or drop those options',
  );
}
