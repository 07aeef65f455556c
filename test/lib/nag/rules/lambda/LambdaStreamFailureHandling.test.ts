import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { LambdaStreamFailureHandling as rule } from '../../../../../lib/nag/rules/lambda';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

const LATEST = lambda.StartingPosition.LATEST;

test('a stream mapping with the defaults gets all three findings', () => {
  const s = stack();
  new lambda.EventSourceMapping(s, 'Defaults', { target: fn(s, 'Fn'), eventSourceArn: new kinesis.Stream(s, 'K').streamArn, startingPosition: LATEST });
  expect(findings(rule, s)).toEqual([
    'SPC-ESM3[OnFailureDestination]  S/Defaults/Resource',
    'SPC-ESM3[PartialBatch]  S/Defaults/Resource',
    'SPC-ESM3[UnboundedRetries]  S/Defaults/Resource',
  ]);
});

test('bisect or partial batch responses, bounded retries or record age, and an on-failure destination: compliant', () => {
  const s = stack();
  const table = new dynamodb.Table(s, 'T', { partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, stream: dynamodb.StreamViewType.NEW_IMAGE });
  const onFailure = new sources.SqsDlq(new sqs.Queue(s, 'Dlq'));
  fn(s, 'Bisect').addEventSource(new sources.DynamoEventSource(table, { startingPosition: LATEST, bisectBatchOnError: true, retryAttempts: 3, onFailure }));
  fn(s, 'Partial').addEventSource(
    new sources.KinesisEventSource(new kinesis.Stream(s, 'K'), { startingPosition: LATEST, reportBatchItemFailures: true, maxRecordAge: undefined, retryAttempts: 0, onFailure }),
  );
  expect(findings(rule, s)).toEqual([]);
});

test('an imported stream is recognised from its ARN; SQS and unknown sources are not applicable', () => {
  const s = stack();
  const imported = new lambda.EventSourceMapping(s, 'Imported', {
    target: fn(s, 'Fn'),
    eventSourceArn: 'arn:aws:dynamodb:us-east-1:111111111111:table/Orders/stream/2024-01-01T00:00:00.000',
    startingPosition: LATEST,
    bisectBatchOnError: true,
    retryAttempts: 2,
  });
  expect(resultOn(rule, imported)).toEqual(['OnFailureDestination']);
  const queue = new lambda.EventSourceMapping(s, 'Queue', { target: fn(s, 'Fn2'), eventSourceArn: new sqs.Queue(s, 'Q').queueArn });
  expect(resultOn(rule, queue)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});

test('batches of one record need neither bisecting nor partial batch responses: nothing to split, one item is the batch', () => {
  const s = stack();
  const onFailure = new sources.SqsDlq(new sqs.Queue(s, 'Dlq'));
  fn(s, 'Single').addEventSource(new sources.KinesisEventSource(new kinesis.Stream(s, 'K'), { startingPosition: LATEST, batchSize: 1, retryAttempts: 2, onFailure }));
  expect(findings(rule, s)).toEqual([]);
  const defaults = new lambda.EventSourceMapping(s, 'SingleDefaults', { target: fn(s, 'Fn'), eventSourceArn: new kinesis.Stream(s, 'K2').streamArn, startingPosition: LATEST, batchSize: 1 });
  expect(resultOn(rule, defaults)).toEqual(['UnboundedRetries', 'OnFailureDestination']);
});
