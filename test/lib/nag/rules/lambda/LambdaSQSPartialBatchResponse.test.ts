import { Fn } from 'aws-cdk-lib';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LambdaSQSPartialBatchResponse as rule } from '../../../../../lib/nag/rules/lambda';
import { fn, NagRuleCompliance, sqsMappingPath, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

test('an SQS event source without ReportBatchItemFailures is reported; with it, compliant', () => {
  const s = stack();
  const without = fn(s, 'Without');
  without.addEventSource(new sources.SqsEventSource(new sqs.Queue(s, 'A')));
  fn(s, 'With').addEventSource(new sources.SqsEventSource(new sqs.Queue(s, 'B'), { reportBatchItemFailures: true }));
  expect(findings(rule, s)).toEqual([`SPC-ESM1  ${sqsMappingPath(without)}`]);
});

test('an imported queue is recognised from its ARN, also one assembled from pseudo parameters', () => {
  const s = stack();
  const literal = new lambda.EventSourceMapping(s, 'Literal', { target: fn(s, 'Fn'), eventSourceArn: 'arn:aws:sqs:us-east-1:111111111111:q' });
  const joined = new lambda.EventSourceMapping(s, 'Joined', {
    target: fn(s, 'Fn2'),
    eventSourceArn: Fn.join('', ['arn:', s.partition, ':sqs:', s.region, ':', s.account, ':q']),
  });
  expect(resultOn(rule, literal)).toBe(NagRuleCompliance.NON_COMPLIANT);
  expect(resultOn(rule, joined)).toBe(NagRuleCompliance.NON_COMPLIANT);
});

test('batch size 1, stream sources and sources only known at deploy time are not applicable', () => {
  const s = stack();
  const one = new lambda.EventSourceMapping(s, 'One', { target: fn(s, 'Fn'), eventSourceArn: new sqs.Queue(s, 'Q').queueArn, batchSize: 1 });
  const stream = new lambda.EventSourceMapping(s, 'Stream', {
    target: fn(s, 'Fn2'), eventSourceArn: new kinesis.Stream(s, 'K').streamArn, startingPosition: lambda.StartingPosition.LATEST,
  });
  const unknown = new lambda.EventSourceMapping(s, 'Unknown', { target: fn(s, 'Fn3'), eventSourceArn: Fn.importValue('QueueArn') });
  for (const mapping of [one, stream, unknown]) expect(resultOn(rule, mapping)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
