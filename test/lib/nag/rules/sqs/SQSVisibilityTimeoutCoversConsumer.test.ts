import { CfnParameter, Duration, Token } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SQSVisibilityTimeoutCoversConsumer as rule } from '../../../../../lib/nag/rules/sqs';
import { fn, NagRuleCompliance, stack, twoStacks } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

const consume = (queue: sqs.IQueue, target: lambda.IFunction, window?: number) =>
  new lambda.EventSourceMapping(target.stack, 'Mapping', {
    target,
    eventSourceArn: queue.queueArn,
    maxBatchingWindow: window === undefined ? undefined : Duration.seconds(window),
  });

test('compliant at the boundary: visibility = 6 × function timeout + batching window', () => {
  const s = stack();
  consume(new sqs.Queue(s, 'Q', { visibilityTimeout: Duration.seconds(70) }), fn(s, 'Fn', { timeout: Duration.seconds(10) }), 10);
  expect(findings(rule, s)).toEqual([]);
});

test('one second short of 6 × timeout + window is reported on the event source mapping', () => {
  const s = stack();
  consume(new sqs.Queue(s, 'Q', { visibilityTimeout: Duration.seconds(69) }), fn(s, 'Fn', { timeout: Duration.seconds(10) }), 10);
  expect(findings(rule, s)).toEqual(['SPC-SQS1  S/Mapping/Resource']);
});

test('L1 resources with service defaults: 30 s visibility covers a 3 s function, not with a 20 s window', () => {
  const s = stack();
  const queue = new sqs.CfnQueue(s, 'Q');
  const f = new lambda.CfnFunction(s, 'Fn', { role: 'arn:aws:iam::111111111111:role/r', code: { zipFile: 'x' }, runtime: 'nodejs22.x', handler: 'index.handler' });
  const fast = new lambda.CfnEventSourceMapping(s, 'NoWindow', { functionName: f.ref, eventSourceArn: queue.attrArn });
  const slow = new lambda.CfnEventSourceMapping(s, 'Window', { functionName: f.ref, eventSourceArn: queue.attrArn, maximumBatchingWindowInSeconds: 20 });
  expect(resultOn(rule, fast)).toBe(NagRuleCompliance.COMPLIANT);
  expect(resultOn(rule, slow)).toBe(NagRuleCompliance.NON_COMPLIANT);
});

test('a mapping that invokes an alias is checked against the aliased function', () => {
  const s = stack();
  const f = fn(s, 'Fn', { timeout: Duration.seconds(60) });
  consume(new sqs.Queue(s, 'Q', { visibilityTimeout: Duration.seconds(300) }), new lambda.Alias(s, 'Live', { aliasName: 'live', version: f.currentVersion }));
  expect(findings(rule, s)).toEqual(['SPC-SQS1  S/Mapping/Resource']);
});

test('a queue in another stack is followed, before synthesis and after it (Fn::ImportValue)', () => {
  const { app, producer, consumer } = twoStacks();
  const queue = new sqs.Queue(producer, 'Q', { visibilityTimeout: Duration.seconds(30) });
  consume(queue, fn(consumer, 'Fn', { timeout: Duration.seconds(10) }));
  expect(findings(rule, app)).toEqual(['SPC-SQS1  Consumer/Mapping/Resource']);
  app.synth(); // turns the reference into an Fn::ImportValue
  expect(findings(rule, app)).toEqual(['SPC-SQS1  Consumer/Mapping/Resource']);
});

test('an imported queue, or a visibility timeout only known at deploy time, is not applicable', () => {
  const s = stack('S', { env: { account: '111111111111', region: 'us-east-1' } });
  const imported = consume(sqs.Queue.fromQueueArn(s, 'Imported', 'arn:aws:sqs:us-east-1:111111111111:q'), fn(s, 'Fn'));
  expect(resultOn(rule, imported)).toBe(NagRuleCompliance.NOT_APPLICABLE);

  const t = stack();
  const seconds = new CfnParameter(t, 'Visibility', { type: 'Number' });
  const queue = new sqs.Queue(t, 'Q', { visibilityTimeout: Duration.seconds(Token.asNumber(seconds.valueAsNumber)) });
  expect(resultOn(rule, consume(queue, fn(t, 'Fn')))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
