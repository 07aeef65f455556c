/**
 * The queue, topic and key policies the messaging constructs write, evaluated by an IAM policy engine. A service
 * principal delivering on a resource's behalf sets aws:SourceArn and aws:SourceAccount to that resource ("The
 * confused deputy problem", IAM user guide, https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html;
 * "Amazon SNS topic and SQS queue policies", https://docs.aws.amazon.com/sns/latest/dg/subscribe-sqs-queue-to-sns-topic.html),
 * and AWS services call each other over TLS (aws:SecureTransport true).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { anonymousPrincipal, Decision, decide, OTHER_ACCOUNT, PolicyRequest, ResolvedTemplate, TEST_ENV } from './evaluate';
import { BufferedEventConsumer, FifoFanout } from '../../../lib';
import { INLINE_CODE } from '../../support/cdk';

const ALLOW_ALL = (prefix: string) => [{ name: 'all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: `${prefix}:*`, Resource: '*' }] } }];
const localRole = `arn:aws:iam::${TEST_ENV.account}:role/Publisher`;
const foreignRole = `arn:aws:iam::${OTHER_ACCOUNT}:role/Intruder`;

/** A service delivering for `source` (an ARN in `account`), as the service builds the request; `source` undefined: neither key set. */
function service(principal: string, action: string, resource: string, source?: { arn: string; account: string }): PolicyRequest {
  return {
    principal,
    action,
    resource,
    context: { 'aws:SecureTransport': 'true', ...(source ? { 'aws:SourceArn': source.arn, 'aws:SourceAccount': source.account } : {}) },
  };
}

function caller(principal: string | typeof anonymousPrincipal, action: string, resource: string, tls = true): PolicyRequest {
  const identityPolicies = typeof principal === 'string' ? ALLOW_ALL(action.split(':')[0]) : undefined;
  return { principal, action, resource, context: { 'aws:SecureTransport': String(tls) }, identityPolicies };
}

async function decisions(policy: any, requests: Record<string, PolicyRequest>): Promise<Record<string, Decision>> {
  const out: Record<string, Decision> = {};
  for (const [name, request] of Object.entries(requests)) out[name] = await decide(policy, request);
  return out;
}

/** A FIFO fanout with one subscriber whose queue is encrypted with a customer managed key. */
describe('FifoFanout: subscriber queues, subscription dead-letter queues, the topic, the queue key', () => {
  let t: ResolvedTemplate;
  let topicArn: string;
  const otherTopic = `arn:aws:sns:${TEST_ENV.region}:${OTHER_ACCOUNT}:Other.fifo`;
  beforeAll(() => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    const fanout = new FifoFanout(stack, 'Jobs');
    fanout.addSubscriber('Analytics', { queueProps: { encryption: sqs.QueueEncryption.KMS, encryptionKey: new kms.Key(stack, 'QueueKey') } });
    fanout.addSubscriber('Inventory');
    t = new ResolvedTemplate(Template.fromStack(stack));
    topicArn = t.arn(t.idOf('AWS::SNS::Topic'));
  });

  test.each(['Analytics', 'Inventory'])('%s queue and subscription dead-letter queue accept SNS only for this topic, and nothing without TLS', async (name) => {
    for (const prefix of [`Jobs${name}Queue`, `Jobs${name}SubscriptionDeadLetterQueue`]) {
      const queue = t.idsOf('AWS::SQS::Queue', prefix).find((id) => !id.startsWith(`Jobs${name}QueueDeadLetter`))!;
      const arn = t.arn(queue);
      expect(await decisions(t.resourcePolicyOf(queue), {
        fromThisTopic: service('sns.amazonaws.com', 'sqs:SendMessage', arn, { arn: topicArn, account: TEST_ENV.account }),
        withoutSource: service('sns.amazonaws.com', 'sqs:SendMessage', arn),
        fromAnotherAccountsTopic: service('sns.amazonaws.com', 'sqs:SendMessage', arn, { arn: otherTopic, account: OTHER_ACCOUNT }),
        anotherAccount: caller(foreignRole, 'sqs:SendMessage', arn),
        anonymous: caller(anonymousPrincipal, 'sqs:SendMessage', arn),
        ownRoleWithoutTls: caller(localRole, 'sqs:ReceiveMessage', arn, false),
        ownRoleWithTls: caller(localRole, 'sqs:ReceiveMessage', arn),
      })).toEqual({
        fromThisTopic: 'Allowed',
        withoutSource: 'ImplicitlyDenied',
        fromAnotherAccountsTopic: 'ImplicitlyDenied',
        anotherAccount: 'ImplicitlyDenied',
        anonymous: 'ImplicitlyDenied',
        ownRoleWithoutTls: 'ExplicitlyDenied',
        ownRoleWithTls: 'Allowed',
      });
    }
  });

  test('the topic refuses publishing without TLS, and anyone outside the account', async () => {
    const topic = t.idOf('AWS::SNS::Topic');
    expect(await decisions(t.resourcePolicyOf(topic), {
      ownRoleWithTls: caller(localRole, 'sns:Publish', topicArn),
      ownRoleWithoutTls: caller(localRole, 'sns:Publish', topicArn, false),
      anotherAccount: caller(foreignRole, 'sns:Publish', topicArn),
      anonymous: caller(anonymousPrincipal, 'sns:Publish', topicArn),
    })).toEqual({ ownRoleWithTls: 'Allowed', ownRoleWithoutTls: 'ExplicitlyDenied', anotherAccount: 'ImplicitlyDenied', anonymous: 'ImplicitlyDenied' });
  });

  test('the queue key lets SNS encrypt for this topic only', async () => {
    const key = t.idOf('AWS::KMS::Key', 'QueueKey');
    const arn = t.arn(key);
    expect(await decisions(t.resourcePolicyOf(key), {
      forThisTopic: service('sns.amazonaws.com', 'kms:GenerateDataKey', arn, { arn: topicArn, account: TEST_ENV.account }),
      withoutSource: service('sns.amazonaws.com', 'kms:GenerateDataKey', arn),
      forAnotherAccountsTopic: service('sns.amazonaws.com', 'kms:GenerateDataKey', arn, { arn: otherTopic, account: OTHER_ACCOUNT }),
      anotherAccount: caller(foreignRole, 'kms:Decrypt', arn),
    })).toEqual({ forThisTopic: 'Allowed', withoutSource: 'ImplicitlyDenied', forAnotherAccountsTopic: 'ImplicitlyDenied', anotherAccount: 'ImplicitlyDenied' });
  });
});

describe.each([
  ['a standard buffer (SQS managed encryption)', false],
  ['a FIFO buffer with a customer managed key (the rule sends to the ingest queue)', true],
] as const)('BufferedEventConsumer with %s: the queues EventBridge sends to', (_, fifo) => {
  let t: ResolvedTemplate;
  let ruleArn: string;
  const otherRule = `arn:aws:events:${TEST_ENV.region}:${OTHER_ACCOUNT}:rule/Other`;
  beforeAll(() => {
    const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
    const consumer = new lambda.Function(stack, 'Consumer', { code: INLINE_CODE, handler: 'index.handler', runtime: lambda.Runtime.NODEJS_22_X });
    new BufferedEventConsumer(stack, 'Orders', {
      consumer,
      eventPattern: { source: ['orders'] },
      ...(fifo ? {
        fifo: true,
        messageGroupIdPath: '$.detail.orderId',
        queueProps: { encryption: sqs.QueueEncryption.KMS, encryptionKey: new kms.Key(stack, 'QueueKey') },
      } : {}),
    });
    t = new ResolvedTemplate(Template.fromStack(stack));
    ruleArn = t.arn(t.idOf('AWS::Events::Rule', 'OrdersRule'));
  });

  test('every queue EventBridge may send to accepts it only for this rule, and nothing without TLS', async () => {
    const targets = t.idsOf('AWS::SQS::Queue')
      .filter((id) => JSON.stringify(t.resourcePolicyOf(id) ?? {}).includes('events.amazonaws.com'))
      // The FIFO ingest pipe's state check runs on a schedule rule of its own, whose dead-letter queue is for that rule.
      .filter((id) => !id.includes('PipeStateSchedule'));
    // The rule's target queue and its dead-letter queue.
    expect(targets).toHaveLength(2);
    for (const queue of targets) {
      const arn = t.arn(queue);
      expect(await decisions(t.resourcePolicyOf(queue), {
        fromThisRule: service('events.amazonaws.com', 'sqs:SendMessage', arn, { arn: ruleArn, account: TEST_ENV.account }),
        withoutSource: service('events.amazonaws.com', 'sqs:SendMessage', arn),
        fromAnotherAccountsRule: service('events.amazonaws.com', 'sqs:SendMessage', arn, { arn: otherRule, account: OTHER_ACCOUNT }),
        anotherAccount: caller(foreignRole, 'sqs:SendMessage', arn),
        ownRoleWithoutTls: caller(localRole, 'sqs:ReceiveMessage', arn, false),
      })).toEqual({
        fromThisRule: 'Allowed',
        withoutSource: 'ImplicitlyDenied',
        fromAnotherAccountsRule: 'ImplicitlyDenied',
        anotherAccount: 'ImplicitlyDenied',
        ownRoleWithoutTls: 'ExplicitlyDenied',
      });
    }
  });

  test('every other queue refuses every service principal and every other account, and nothing goes without TLS', async () => {
    const others = t.idsOf('AWS::SQS::Queue').filter((id) => !JSON.stringify(t.resourcePolicyOf(id) ?? {}).includes('events.amazonaws.com'));
    expect(others.length).toBeGreaterThan(0);
    for (const queue of others) {
      const arn = t.arn(queue);
      expect(await decisions(t.resourcePolicyOf(queue), {
        eventBridge: service('events.amazonaws.com', 'sqs:SendMessage', arn, { arn: ruleArn, account: TEST_ENV.account }),
        anotherAccount: caller(foreignRole, 'sqs:SendMessage', arn),
        ownRoleWithoutTls: caller(localRole, 'sqs:ReceiveMessage', arn, false),
      })).toEqual({ eventBridge: 'ImplicitlyDenied', anotherAccount: 'ImplicitlyDenied', ownRoleWithoutTls: 'ExplicitlyDenied' });
    }
  });

  if (fifo) {
    test('the buffer key is used by the pipe\'s role, never by a service principal', async () => {
      const key = t.idOf('AWS::KMS::Key', 'QueueKey');
      const arn = t.arn(key);
      expect(await decisions(t.resourcePolicyOf(key), {
        eventBridge: service('events.amazonaws.com', 'kms:GenerateDataKey', arn, { arn: ruleArn, account: TEST_ENV.account }),
        pipes: service('pipes.amazonaws.com', 'kms:GenerateDataKey', arn),
        anotherAccount: caller(foreignRole, 'kms:Decrypt', arn),
      })).toEqual({ eventBridge: 'ImplicitlyDenied', pipes: 'ImplicitlyDenied', anotherAccount: 'ImplicitlyDenied' });
    });
  }
});
