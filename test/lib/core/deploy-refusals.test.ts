/**
 * Configurations that synthesize with aws-cdk-lib alone but that AWS refuses at deploy time (found with cfn-lint and
 * the service documentation): each is refused at synth with its id, and the nearest valid configuration is accepted.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { BufferedEventConsumer, BufferedEventInput, FifoFanout, PatternErrors, PatternFunction, TransactionalOutbox } from '../../../lib';
import { INLINE_CODE, newStack } from '../../support/cdk';

const fnProps = { code: INLINE_CODE, handler: 'index.handler' };

function ids(build: (stack: Stack) => unknown, stack: Stack = newStack()): string[] {
  try {
    build(stack);
    (stack.node.root as App).synth();
  } catch (err) {
    if (PatternErrors.isPatternValidationError(err)) return PatternErrors.problemsOf(err).map((p) => p.id);
    const match = /\(([A-Za-z]+\.[A-Za-z]+)\)/.exec((err as Error).message);
    if (match) return [match[1]];
    throw err;
  }
  return [];
}

describe.each([
  ['a handler with whitespace', { ...fnProps, handler: 'index handler' }, fnProps, 'Function.Handler'],
  ['an environment variable name Lambda refuses', { ...fnProps, environment: { 'MY-VAR': 'x' } }, { ...fnProps, environment: { MY_VAR: 'x' } }, 'Function.EnvironmentKey'],
  ['a one-character environment variable name', { ...fnProps, environment: { K: 'x' } }, { ...fnProps, environment: { KE: 'x' } }, 'Function.EnvironmentKey'],
])('PatternFunction: %s', (_name, bad, good, id) => {
  test('refused', () => expect(ids((s) => new PatternFunction(s, 'Fn', bad))).toEqual([id]));
  test('the nearest valid one is accepted', () => expect(ids((s) => new PatternFunction(s, 'Fn', good))).toEqual([]));
});

describe('BufferedEventConsumer', () => {
  const base = { eventPattern: { source: ['orders'] }, consumerProps: fnProps };

  test('FIFO: a group path longer than Pipes allows once placed in the ingest record', () => {
    // Whole events: "$.body" + the path without "$" — 95 characters of path become 100.
    const at = `$.detail.${'g'.repeat(86)}`;
    expect(at.length).toBe(95);
    expect(ids((s) => new BufferedEventConsumer(s, 'B', { ...base, fifo: true, messageGroupIdPath: at }))).toEqual([]);
    expect(ids((s) => new BufferedEventConsumer(s, 'B', { ...base, fifo: true, messageGroupIdPath: `${at}g` })))
      .toEqual(['BufferedEventConsumer.GroupPathLength']);
    // Detail-only bodies drop "$.detail": the same path is 7 characters shorter in the record.
    expect(ids((s) => new BufferedEventConsumer(s, 'B', { ...base, fifo: true, input: BufferedEventInput.DETAIL, messageGroupIdPath: `${at}gggggggg` })))
      .toEqual(['BufferedEventConsumer.GroupPathLength']);
    expect(ids((s) => new BufferedEventConsumer(s, 'B', { ...base, fifo: true, input: BufferedEventInput.DETAIL, messageGroupIdPath: `${at}ggggggg` })))
      .toEqual([]);
  });

  test('FIFO in a region without EventBridge Pipes; any region with them, or an unresolved one, is accepted', () => {
    const inRegion = (region: string) => new Stack(new App(), 'S', { env: { account: '123456789012', region } });
    expect(ids((s) => new BufferedEventConsumer(s, 'B', { ...base, fifo: true, messageGroupIdPath: '$.detail.id' }), inRegion('il-central-1')))
      .toEqual(['BufferedEventConsumer.PipesUnavailable']);
    expect(ids((s) => new BufferedEventConsumer(s, 'B', { ...base, fifo: true, messageGroupIdPath: '$.detail.id' }), inRegion('eu-west-1'))).toEqual([]);
    expect(ids((s) => new BufferedEventConsumer(s, 'B', base), inRegion('il-central-1'))).toEqual([]);
  });

  test('a standard buffer encrypted with the AWS managed key', () => {
    expect(ids((s) => new BufferedEventConsumer(s, 'B', { ...base, queueProps: { encryption: sqs.QueueEncryption.KMS_MANAGED } })))
      .toEqual(['BufferedEventConsumer.AwsManagedKeyBuffer']);
    expect(ids((s) => new BufferedEventConsumer(s, 'B', { ...base, queueProps: { encryption: sqs.QueueEncryption.SQS_MANAGED } }))).toEqual([]);
  });

  test('an empty list in the event pattern, at any depth', () => {
    expect(ids((s) => new BufferedEventConsumer(s, 'B', { ...base, eventPattern: { source: ['orders'], detail: { status: [] } } })))
      .toEqual(['BufferedEventConsumer.EmptyPatternList']);
    expect(ids((s) => new BufferedEventConsumer(s, 'B', { ...base, eventPattern: { source: ['orders'], detail: { status: ['NEW'] } } }))).toEqual([]);
  });

  test('a pattern over the default size quota is a warning (the quota can be raised)', () => {
    const stack = newStack();
    new BufferedEventConsumer(stack, 'B', { ...base, eventPattern: { source: ['orders'], detail: { id: Array.from({ length: 300 }, (_, i) => `order-${i}`) } } });
    expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('EventPatternSize'))).toHaveLength(1);
  });
});

test('FifoFanout: a subscriber queue encrypted with the AWS managed key', () => {
  expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', { queueProps: { encryption: sqs.QueueEncryption.KMS_MANAGED } })))
    .toEqual(['FifoSubscriber.AwsManagedKeyQueue']);
  expect(ids((s) => new FifoFanout(s, 'F').addSubscriber('A', { queueProps: { encryption: sqs.QueueEncryption.KMS } }))).toEqual([]);
});

test('descriptions derived from long construct ids stay within the service limits (alarms 1,024, pipes 512, roles 1,000)', () => {
  const stack = newStack();
  new BufferedEventConsumer(stack, 'O'.repeat(1000), { eventPattern: { source: ['orders'] }, consumerProps: fnProps });
  new TransactionalOutbox(stack, 'P'.repeat(600), { eventSource: 'com.example.orders' });
  const t = Template.fromStack(stack);
  const lengths = (type: string, property: string) =>
    Object.values(t.findResources(type)).map((r) => String(r.Properties?.[property] ?? '').length);
  expect(Math.max(...lengths('AWS::CloudWatch::Alarm', 'AlarmDescription'))).toBeLessThanOrEqual(1024);
  expect(Math.max(...lengths('AWS::Pipes::Pipe', 'Description'))).toBeLessThanOrEqual(512);
  expect(Math.max(...lengths('AWS::IAM::Role', 'Description'))).toBeLessThanOrEqual(1000);
  // The descriptions were long enough to need it.
  expect(Math.max(...lengths('AWS::CloudWatch::Alarm', 'AlarmDescription'))).toBe(1024);
});
