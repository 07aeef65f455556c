import { Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ServerlessPatternsChecks } from '../../../../../lib/nag/packs';
import { LambdaSQSMaximumConcurrency as rule } from '../../../../../lib/nag/rules/lambda';
import { fn, NagRuleCompliance, sqsMappingPath, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

/** A queue with a redrive policy: throttled receives count towards its maxReceiveCount. */
const redriven = (s: Stack, id: string) => new sqs.Queue(s, id, { deadLetterQueue: { queue: new sqs.Queue(s, `${id}Dlq`), maxReceiveCount: 3 } });

test('reserved concurrency below what the mapping reaches needs a cap at or below it', () => {
  const s = stack();
  const consume = (id: string, reserved: number | undefined, maxConcurrency?: number) => {
    const consumer = fn(s, id, { reservedConcurrentExecutions: reserved });
    consumer.addEventSource(new sources.SqsEventSource(redriven(s, `${id}Q`), { maxConcurrency }));
    return sqsMappingPath(consumer);
  };
  const noCap = consume('NoCap', 5);
  const capAbove = consume('CapAbove', 5, 10);
  consume('CapAtReservation', 5, 5);
  consume('LargeReservation', 1000);
  consume('Unreserved', undefined);
  expect(findings(rule, s)).toEqual([`SPC-ESM2[ReservedConcurrency]  ${capAbove}`, `SPC-ESM2[ReservedConcurrency]  ${noCap}`]);
});

test('reserved concurrency 1 (no cap can be at or below it: Lambda takes 2 to 1,000) is not reported', () => {
  const s = stack();
  const one = fn(s, 'One', { reservedConcurrentExecutions: 1 });
  one.addEventSource(new sources.SqsEventSource(redriven(s, 'Q')));
  expect(findings(rule, s)).toEqual([]);
});

test('without a redrive policy throttled messages wait in the queue, nothing is dead-lettered: not reported', () => {
  const s = stack();
  const noRedrive = fn(s, 'NoRedrive', { reservedConcurrentExecutions: 5 });
  noRedrive.addEventSource(new sources.SqsEventSource(new sqs.Queue(s, 'Plain')));
  const imported = fn(s, 'ImportedQueue', { reservedConcurrentExecutions: 5 });
  imported.addEventSource(new sources.SqsEventSource(sqs.Queue.fromQueueArn(s, 'Elsewhere', 'arn:aws:sqs:us-east-1:111111111111:elsewhere')));
  expect(findings(rule, s)).toEqual([]);
  // The shape seen in a public app: reserved concurrency 1 and no redrive policy.
  const shape = fn(s, 'Shape', { reservedConcurrentExecutions: 1 });
  shape.addEventSource(new sources.SqsEventSource(new sqs.Queue(s, 'ShapeQ')));
  expect(findings(rule, s)).toEqual([]);
});

test('a function marked as calling a rate-limited downstream needs a cap', () => {
  const s = stack();
  const marked = fn(s, 'Marked');
  ServerlessPatternsChecks.markRateLimitedDownstream(marked);
  marked.addEventSource(new sources.SqsEventSource(new sqs.Queue(s, 'A')));
  const capped = fn(s, 'Capped');
  ServerlessPatternsChecks.markRateLimitedDownstream(capped);
  capped.addEventSource(new sources.SqsEventSource(new sqs.Queue(s, 'B'), { maxConcurrency: 2 }));
  expect(findings(rule, s)).toEqual([`SPC-ESM2[RateLimitedDownstream]  ${sqsMappingPath(marked)}`]);
});

test('a function switched off (reserved concurrency 0) or outside the app is not flagged', () => {
  const s = stack();
  const off = fn(s, 'Off', { reservedConcurrentExecutions: 0 });
  off.addEventSource(new sources.SqsEventSource(new sqs.Queue(s, 'Q')));
  expect(findings(rule, s)).toEqual([]);
  const imported = new lambda.EventSourceMapping(s, 'Imported', {
    target: lambda.Function.fromFunctionName(s, 'Elsewhere', 'elsewhere'), eventSourceArn: new sqs.Queue(s, 'Q2').queueArn,
  });
  expect(resultOn(rule, imported)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
