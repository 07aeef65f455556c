/**
 * Shapes AWS refuses at deploy (or that deploy broken) which no single prop shows: combinations, resources passed in,
 * derived values and the whole stack. Each is refused (or warned about) at synth with its id, at the boundary the
 * nearest valid configuration passes, and a legitimate configuration close to it passes too.
 */
import { App, Annotations as CdkAnnotations, Duration, Stack, Tags } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  BufferedEventConsumer, CircuitBreaker, FifoFanout, OutboxTarget, PatternErrors, PatternFunction, SecureQueue, TransactionalOutbox,
} from '../../../lib';
import { INLINE_CODE, newStack } from '../../support/cdk';

const fnProps = { code: INLINE_CODE, handler: 'index.handler' };
const ENV = { account: '123456789012', region: 'eu-west-1' };
const inEnv = (app = new App()) => new Stack(app, 'S', { env: ENV });

/** The problem ids a build reports at construction or synth; [] when it synthesizes. */
function ids(build: (stack: Stack) => unknown, stack: Stack = newStack()): string[] {
  try {
    build(stack);
    (stack.node.root as App).synth();
  } catch (err) {
    if (PatternErrors.isPatternValidationError(err)) return PatternErrors.problemsOf(err).map((p) => p.id);
    const found = [...(err as Error).message.matchAll(/\(([A-Za-z0-9]+(?:\.[A-Za-z0-9]+)+)\)$/gm)].map((m) => m[1]);
    if (found.length > 0) return found;
    throw err;
  }
  return [];
}

/** How many warnings with `id` the stack carries after synth. */
function warnings(stack: Stack, id: string): number {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp(`cdk-serverless-patterns:${id}`)).length;
}

const consumer = (s: Stack, id = 'Consumer', props: Partial<lambda.FunctionProps> = {}) =>
  new lambda.Function(s, id, { runtime: lambda.Runtime.NODEJS_22_X, ...fnProps, ...props });
const bufferBase = { eventPattern: { source: ['orders'] } };

describe('an AWS managed key passed by alias on a queue SNS or EventBridge writes to', () => {
  const managedAlias = (s: Stack) => kms.Alias.fromAliasName(s, 'SqsKey', 'alias/aws/sqs');

  test('FifoFanout subscriber: queueProps with alias/aws/sqs by Alias.fromAliasName is refused; a customer key passes', () => {
    expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', {
      queueProps: { encryption: sqs.QueueEncryption.KMS, encryptionKey: managedAlias(s) },
    }))).toEqual(['FifoSubscriber.AwsManagedKeyQueue']);
    expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', {
      queueProps: { encryption: sqs.QueueEncryption.KMS, encryptionKey: new kms.Key(s, 'Key') },
    }))).toEqual([]);
  });

  test('FifoFanout subscriber: a queue of the app encrypted with the alias is refused', () => {
    const queue = (s: Stack, key: kms.IKey) => new sqs.Queue(s, 'Q', {
      fifo: true,
      encryptionMasterKey: key,
      deadLetterQueue: { queue: new sqs.Queue(s, 'Dlq', { fifo: true }), maxReceiveCount: 3 },
    });
    expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', { queue: queue(s, managedAlias(s)) })))
      .toEqual(['FifoSubscriber.AwsManagedKeyQueue']);
    // An alias of the user's own (not alias/aws/...) is a customer managed key.
    expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', { queue: queue(s, kms.Alias.fromAliasName(s, 'Mine', 'alias/awsome-orders')) })))
      .toEqual([]);
  });

  test('an imported queue whose key ARN is the AWS managed alias is refused', () => {
    const imported = (s: Stack, keyArn: string) => sqs.Queue.fromQueueAttributes(s, 'Q', {
      queueArn: 'arn:aws:sqs:eu-west-1:123456789012:jobs.fifo', keyArn,
    });
    expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', { queue: imported(s, 'arn:aws:kms:eu-west-1:123456789012:alias/aws/sqs') })))
      .toEqual(['FifoSubscriber.AwsManagedKeyQueue']);
    expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', {
      queue: imported(s, 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab'),
    }))).toEqual([]);
  });

  test('BufferedEventConsumer: a key looked up by the AWS managed alias is refused; the lookup of a customer alias passes', () => {
    const lookups = {
      'key-provider:account=123456789012:aliasName=alias/aws/sqs:region=eu-west-1': { keyId: '11111111-1111-1111-1111-111111111111' },
      'key-provider:account=123456789012:aliasName=alias/orders:region=eu-west-1': { keyId: '22222222-2222-2222-2222-222222222222' },
    };
    const build = (alias: string) => (s: Stack) => new BufferedEventConsumer(s, 'B', {
      ...bufferBase,
      consumerProps: fnProps,
      queueProps: { encryption: sqs.QueueEncryption.KMS, encryptionKey: kms.Key.fromLookup(s, 'Key', { aliasName: alias }) },
    });
    expect(ids(build('alias/aws/sqs'), inEnv(new App({ context: lookups }))))
      .toEqual(expect.arrayContaining(['BufferedEventConsumer.AwsManagedKeyBuffer']));
    // The customer key is refused for another reason (rules cannot be limited by aws:SourceArn), not for the alias.
    expect(ids(build('alias/orders'), inEnv(new App({ context: lookups })))).not.toContain('BufferedEventConsumer.AwsManagedKeyBuffer');
  });

  test('BufferedEventConsumer FIFO: the buffer is written by the pipe role, which may use the AWS managed key', () => {
    expect(ids((s) => new BufferedEventConsumer(s, 'B', {
      ...bufferBase,
      consumerProps: fnProps,
      fifo: true,
      messageGroupIdPath: '$.detail.id',
      queueProps: { encryption: sqs.QueueEncryption.KMS_MANAGED },
    }))).toEqual([]);
  });

  test('an alarm action topic encrypted with alias/aws/sns is warned about; a customer key is not', () => {
    const withTopic = (key: (s: Stack) => kms.IKey) => {
      const stack = newStack();
      const topic = new sns.Topic(stack, 'Alerts', { masterKey: key(stack) });
      new FifoFanout(stack, 'F', { alarmAction: new cwActions.SnsAction(topic) }).addSubscriber('A');
      return warnings(stack, 'AlarmTopicAwsManagedKey');
    };
    expect(withTopic((s) => kms.Alias.fromAliasName(s, 'SnsKey', 'alias/aws/sns'))).toBeGreaterThan(0);
    expect(withTopic((s) => new kms.Key(s, 'Key'))).toBe(0);
  });
});

describe('the rest of the stack: queues and topics a service sends to, on an AWS managed key', () => {
  type QueueOptions = (s: Stack) => sqs.QueueProps;
  const managedEnum: QueueOptions = () => ({ encryption: sqs.QueueEncryption.KMS_MANAGED });
  const managedAlias: QueueOptions = (s) => ({ encryptionMasterKey: kms.Alias.fromAliasName(s, 'Alias', 'alias/aws/sqs') });
  const build = (options: QueueOptions, wire: (s: Stack, q: sqs.Queue) => void) => {
    const stack = newStack();
    new PatternFunction(stack, 'Anchor', fnProps);
    const queue = new sqs.Queue(stack, 'Mine', options(stack));
    wire(stack, queue);
    return warnings(stack, 'ServiceCannotUseAwsManagedKey');
  };
  const ruleTarget = (s: Stack, q: sqs.Queue) => new events.Rule(s, 'Rule', { eventPattern: { source: ['x'] }, targets: [new targets.SqsQueue(q)] });
  // aws-cdk-lib refuses a subscription to a KMS_MANAGED queue, but not to the same key passed as an alias.
  const subscription = (s: Stack, q: sqs.Queue) => new sns.Topic(s, 'Topic').addSubscription(new subscriptions.SqsSubscription(q));

  test('an EventBridge rule or an SNS subscription wired by hand to an alias/aws/sqs queue is warned about', () => {
    expect(build(managedEnum, ruleTarget)).toBe(1);
    expect(build(managedAlias, ruleTarget)).toBe(1);
    expect(build(managedAlias, subscription)).toBe(1);
  });

  test('the same wiring to an SQS-managed queue, or an alias/aws/sqs queue only a function reads, is not', () => {
    expect(build(() => ({ encryption: sqs.QueueEncryption.SQS_MANAGED }), ruleTarget)).toBe(0);
    expect(build(managedEnum, (s, q) => q.grantConsumeMessages(consumer(s)))).toBe(0);
  });
});

describe('Lambda layers of another Region than the stack', () => {
  const layerIn = (region: string) => `arn:aws:lambda:${region}:580247275435:layer:LambdaInsightsExtension:55`;
  const build = (arn: string) => (s: Stack) => new PatternFunction(s, 'Fn', {
    ...fnProps, layers: [lambda.LayerVersion.fromLayerVersionArn(s, 'Layer', arn)],
  });

  test('refused; the same layer in the stack Region passes', () => {
    expect(ids(build(layerIn('us-east-1')), inEnv())).toEqual(['Function.LayerRegion']);
    expect(ids(build(layerIn('eu-west-1')), inEnv())).toEqual([]);
  });

  test('an environment-agnostic stack (Region unresolved) is not judged', () => {
    expect(ids(build(layerIn('us-east-1')), newStack())).toEqual([]);
  });

  test('a consumer defined in the app and passed in is checked too', () => {
    expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', {
      consumer: consumer(s, 'C', { layers: [lambda.LayerVersion.fromLayerVersionArn(s, 'L', layerIn('us-west-2'))] }),
    }), inEnv())).toEqual(['Function.LayerRegion']);
  });
});

describe('FIFO throughput settings of a queue passed in', () => {
  const fifoQueue = (s: Stack, id: string, settings: Partial<sqs.QueueProps>) => new sqs.Queue(s, id, {
    fifo: true,
    ...settings,
    deadLetterQueue: { queue: new sqs.Queue(s, `${id}Dlq`, { fifo: true }), maxReceiveCount: 3 },
  });
  const perGroupLimit = { fifoThroughputLimit: sqs.FifoThroughputLimit.PER_MESSAGE_GROUP_ID };
  const highThroughput = { ...perGroupLimit, deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP };

  test('FifoFanout subscriber: per-group limit without per-group deduplication is refused; both together pass', () => {
    expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', { queue: fifoQueue(s, 'Q', perGroupLimit) })))
      .toEqual(['ExistingQueue.FifoThroughputLimit']);
    expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', {
      queue: fifoQueue(s, 'Q', { ...perGroupLimit, deduplicationScope: sqs.DeduplicationScope.QUEUE }),
    }))).toEqual(['ExistingQueue.FifoThroughputLimit']);
    expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', { queue: fifoQueue(s, 'Q', highThroughput) }))).toEqual([]);
  });

  test('TransactionalOutbox FIFO target queue', () => {
    const outbox = (settings: Partial<sqs.QueueProps>) => (s: Stack) => new TransactionalOutbox(s, 'O', {
      eventSource: 'com.example.orders', target: OutboxTarget.FIFO_QUEUE, queue: fifoQueue(s, 'Q', settings),
    });
    expect(ids(outbox(perGroupLimit))).toEqual(['TransactionalOutbox.FifoThroughputLimit']);
    expect(ids(outbox(highThroughput))).toEqual([]);
    // Normal throughput (neither setting) is a valid FIFO queue.
    expect(ids(outbox({}))).toEqual([]);
  });

  test('a dead-letter queue passed to queueProps', () => {
    const dlq = (s: Stack, settings: Partial<sqs.QueueProps>) => new sqs.Queue(s, 'Dlq', { fifo: true, ...settings });
    expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', { queueProps: { deadLetterQueue: dlq(s, perGroupLimit) } })))
      .toEqual(['SecureQueue.FifoThroughputLimit']);
    expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', { queueProps: { deadLetterQueue: dlq(s, highThroughput) } })))
      .toEqual([]);
  });

  test('deduplication per group with the per-queue quota deploys but is warned about', () => {
    const stack = newStack();
    new FifoFanout(stack, 'F').addSubscriber('A', { queue: fifoQueue(stack, 'Q', { deduplicationScope: sqs.DeduplicationScope.MESSAGE_GROUP }) });
    expect(warnings(stack, 'HalfHighThroughputFifo')).toBe(1);
    const fine = newStack();
    new FifoFanout(fine, 'F').addSubscriber('A', { queue: fifoQueue(fine, 'Q', highThroughput) });
    expect(warnings(fine, 'HalfHighThroughputFifo')).toBe(0);
  });
});

describe('a dead-letter queue passed in whose redrive allow policy excludes our queue', () => {
  test('SecureQueue: denyAll is refused; allowAll passes', () => {
    const build = (permission: sqs.RedrivePermission) => (s: Stack) => new SecureQueue(s, 'Q', {
      deadLetterQueue: new sqs.Queue(s, 'Dlq', { redriveAllowPolicy: { redrivePermission: permission } }),
    });
    expect(ids(build(sqs.RedrivePermission.DENY_ALL))).toEqual(['SecureQueue.RedriveNotAllowed']);
    expect(ids(build(sqs.RedrivePermission.ALLOW_ALL))).toEqual([]);
  });

  test('SecureQueue: byQueue listing another queue is refused; listing ours (by name) passes', () => {
    const build = (listed: (s: Stack) => sqs.IQueue) => (s: Stack) => new SecureQueue(s, 'Q', {
      queueName: 'orders',
      deadLetterQueue: new sqs.Queue(s, 'Dlq', { redriveAllowPolicy: { sourceQueues: [listed(s)] } }),
    });
    expect(ids(build((s) => new sqs.Queue(s, 'Other')))).toEqual(['SecureQueue.RedriveNotAllowed']);
    expect(ids(build((s) => sqs.Queue.fromQueueArn(s, 'Ours', s.formatArn({ service: 'sqs', resource: 'orders' }))))).toEqual([]);
    expect(ids(build((s) => sqs.Queue.fromQueueArn(s, 'Ours', 'arn:aws:sqs:us-east-1:123456789012:orders')))).toEqual([]);
  });

  test('a queue passed in whose own dead-letter queue excludes it; listing it passes', () => {
    const build = (lists: boolean) => (s: Stack) => {
      const other = new sqs.Queue(s, 'Other', { fifo: true });
      const queue: { q?: sqs.Queue } = {};
      const dlq = new sqs.Queue(s, 'Dlq', {
        fifo: true,
        redriveAllowPolicy: { sourceQueues: [lists ? sqs.Queue.fromQueueArn(s, 'Me', s.formatArn({ service: 'sqs', resource: 'jobs.fifo' })) : other] },
      });
      queue.q = new sqs.Queue(s, 'Q', { queueName: 'jobs.fifo', fifo: true, deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
      return new FifoFanout(s, 'F').addSubscriber('A', { queue: queue.q });
    };
    expect(ids(build(false))).toEqual(['ExistingQueue.RedriveNotAllowed']);
    expect(ids(build(true))).toEqual([]);
  });

  test('TransactionalOutbox: the target queue passed in with a dead-letter queue that denies every source', () => {
    const build = (permission: sqs.RedrivePermission) => (s: Stack) => new TransactionalOutbox(s, 'O', {
      eventSource: 'com.example.orders',
      target: OutboxTarget.FIFO_QUEUE,
      queue: new sqs.Queue(s, 'Q', {
        fifo: true,
        deadLetterQueue: { queue: new sqs.Queue(s, 'Dlq', { fifo: true, redriveAllowPolicy: { redrivePermission: permission } }), maxReceiveCount: 3 },
      }),
    });
    expect(ids(build(sqs.RedrivePermission.DENY_ALL))).toEqual(['TransactionalOutbox.RedriveNotAllowed']);
    expect(ids(build(sqs.RedrivePermission.ALLOW_ALL))).toEqual([]);
  });

  test('an imported dead-letter queue is warned about, not refused', () => {
    const stack = newStack();
    new SecureQueue(stack, 'Q', { deadLetterQueue: sqs.Queue.fromQueueArn(stack, 'Dlq', 'arn:aws:sqs:us-east-1:123456789012:dlq') });
    expect(warnings(stack, 'UncheckedDeadLetterQueue')).toBe(1);
  });
});

describe('reserved concurrency summed over a stack', () => {
  const reserve = (s: Stack, amounts: number[]) => amounts.forEach((n, i) => new PatternFunction(s, `Fn${i}`, { ...fnProps, reservedConcurrentExecutions: n }));

  test('above 900 (1,000 at the default quota minus the 100 kept unreserved) is warned about; exactly 900 is not', () => {
    const above = newStack();
    reserve(above, [500, 401]);
    expect(ids(() => undefined, above)).toEqual([]);
    expect(warnings(above, 'ReservedConcurrencyAboveDefaultQuota')).toBe(1);
    const at = newStack();
    reserve(at, [500, 400]);
    expect(warnings(at, 'ReservedConcurrencyAboveDefaultQuota')).toBe(0);
  });

  test('the warning sits on the largest reservation, where it can be acknowledged', () => {
    const stack = newStack();
    reserve(stack, [800, 101]);
    CdkAnnotations.of(stack.node.findChild('Fn0')).acknowledgeWarning('cdk-serverless-patterns:ReservedConcurrencyAboveDefaultQuota', 'quota raised to 2,000');
    expect(warnings(stack, 'ReservedConcurrencyAboveDefaultQuota')).toBe(0);
  });

  test('functions outside the constructs count toward the sum', () => {
    const stack = newStack();
    reserve(stack, [10]);
    consumer(stack, 'Plain', { reservedConcurrentExecutions: 891 });
    expect(warnings(stack, 'ReservedConcurrencyAboveDefaultQuota')).toBe(1);
  });
});

describe('two resources of one stack with the same physical name', () => {
  test.each([
    ['queues', (s: Stack, n: string) => new sqs.Queue(s, `Q${n}`, { queueName: 'orders' })],
    ['topics', (s: Stack, n: string) => new sns.Topic(s, `T${n}`, { topicName: 'orders' })],
    ['functions', (s: Stack, n: string) => consumer(s, `F${n}`, { functionName: 'orders' })],
  ])('%s: refused; distinct names pass', (_what, make) => {
    expect(ids((s) => { new PatternFunction(s, 'Anchor', fnProps); make(s, '1'); make(s, '2'); })).toEqual(['Stack.DuplicatePhysicalName']);
    expect(ids((s) => { new PatternFunction(s, 'Anchor', fnProps); make(s, '1'); })).toEqual([]);
  });

  test('a name given to a construct and to a resource of the app', () => {
    expect(ids((s) => {
      new FifoFanout(s, 'F', { topicName: 'jobs.fifo' });
      new sns.Topic(s, 'Mine', { topicName: 'jobs.fifo', fifo: true });
    })).toEqual(['Stack.DuplicatePhysicalName']);
    // The same name on resources of different types is fine (a queue and a topic may share it).
    expect(ids((s) => {
      new FifoFanout(s, 'F', { topicName: 'jobs.fifo' });
      new sqs.Queue(s, 'Mine', { queueName: 'jobs.fifo', fifo: true });
    })).toEqual([]);
  });
});

describe('CloudWatch namespaces the library writes', () => {
  test.each([
    ['a namespace starting with a colon (the alarm pattern [^:].*)', ':orders/breaker', 'CircuitBreaker.MetricsNamespaceAlarmPattern'],
    ['a reserved AWS/ namespace', 'AWS/Lambda', 'CircuitBreaker.ReservedMetricsNamespace'],
    ['a control character', 'orders\tbreaker', 'CircuitBreaker.MetricsNamespace'],
    ['256 characters', 'n'.repeat(256), 'CircuitBreaker.MetricsNamespace'],
  ])('%s is refused', (_name, namespace, id) => {
    expect(ids((s) => new CircuitBreaker(s, 'B', { metricsNamespace: namespace }))).toEqual([id]);
  });

  test.each([
    ['255 characters', 'n'.repeat(255)],
    ['the characters CloudWatch documents (. - _ / # : and space)', 'My.Company-1_x/Orders #2:Breaker'],
    ['a namespace that merely contains AWS', 'MyAWS/Breaker'],
  ])('%s passes', (_name, namespace) => {
    expect(ids((s) => new CircuitBreaker(s, 'B', { metricsNamespace: namespace }))).toEqual([]);
  });

  test('an alarm of the app on a namespace starting with a colon is refused in a stack with the constructs', () => {
    const alarm = (ns: string) => (s: Stack) => {
      new PatternFunction(s, 'Fn', fnProps);
      new cloudwatch.Alarm(s, 'A', { metric: new cloudwatch.Metric({ namespace: ns, metricName: 'm' }), threshold: 1, evaluationPeriods: 1 });
    };
    expect(ids(alarm(':x'))).toEqual(['Stack.AlarmNamespace']);
    expect(ids(alarm('x:'))).toEqual([]);
  });
});

describe('tags derived from long construct paths', () => {
  /** A VPC whose Name tags (the construct path) are `length` characters long. */
  const vpcAtPathLength = (s: Stack, length: number) => {
    const prefix = `${s.node.id}/`;
    const id = 'v'.repeat(length - prefix.length);
    new PatternFunction(s, 'Fn', fnProps);
    return new ec2.Vpc(s, id, { maxAzs: 1, natGateways: 0, subnetConfiguration: [] });
  };

  test('a 257-character path as the VPC Name tag is refused; 256 passes', () => {
    expect(ids((s) => vpcAtPathLength(s, 257))).toEqual(['Stack.TagValueLength']);
    expect(ids((s) => vpcAtPathLength(s, 256))).toEqual([]);
  });

  test('overriding the derived tag with a short one passes', () => {
    expect(ids((s) => Tags.of(vpcAtPathLength(s, 300)).add('Name', 'orders'))).toEqual([]);
  });
});

describe('a queue consumer throttled by its own reserved concurrency', () => {
  const subscribe = (reserved: number | undefined, maxConcurrency?: number) => {
    const stack = newStack();
    new FifoFanout(stack, 'F').addSubscriber('A', { consumer: consumer(stack, 'C', { reservedConcurrentExecutions: reserved }), maxConcurrency });
    return stack;
  };

  test('reserved concurrency 0 is warned about; 1 is not', () => {
    expect(warnings(subscribe(0), 'ConsumerStopped')).toBe(1);
    expect(warnings(subscribe(1), 'ConsumerStopped')).toBe(0);
  });

  test('reserved below maxConcurrency is warned about; equal passes; no reservation passes', () => {
    expect(warnings(subscribe(4, 5), 'ConsumerThrottledByReservation')).toBe(1);
    expect(warnings(subscribe(5, 5), 'ConsumerThrottledByReservation')).toBe(0);
    expect(warnings(subscribe(undefined, 5), 'ConsumerThrottledByReservation')).toBe(0);
  });

  test('maxConcurrency of every queue the function drains is summed', () => {
    const stack = newStack();
    const fn = consumer(stack, 'C', { reservedConcurrentExecutions: 9 });
    const fanout = new FifoFanout(stack, 'F');
    fanout.addSubscriber('A', { consumer: fn, maxConcurrency: 5 });
    fanout.addSubscriber('B', { consumer: fn, maxConcurrency: 5 });
    expect(warnings(stack, 'ConsumerThrottledByReservation')).toBe(1);
  });

  test('a consumer the construct creates, with a reservation derived from its props', () => {
    const stack = newStack();
    new BufferedEventConsumer(stack, 'B', { ...bufferBase, consumerProps: { ...fnProps, reservedConcurrentExecutions: 2 }, maxConcurrency: 10 });
    expect(warnings(stack, 'ConsumerThrottledByReservation')).toBe(1);
  });

  test('the warning can be acknowledged on the function (a paused consumer on purpose)', () => {
    const build = (acknowledge: boolean) => {
      const stack = newStack();
      const fn = consumer(stack, 'C', { reservedConcurrentExecutions: 0, timeout: Duration.seconds(3) });
      new FifoFanout(stack, 'F').addSubscriber('A', { consumer: fn });
      if (acknowledge) CdkAnnotations.of(fn).acknowledgeWarning('cdk-serverless-patterns:ConsumerStopped', 'paused during the migration');
      return warnings(stack, 'ConsumerStopped');
    };
    expect(build(false)).toBe(1);
    expect(build(true)).toBe(0);
  });
});
