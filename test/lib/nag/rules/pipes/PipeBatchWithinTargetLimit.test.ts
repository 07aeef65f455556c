import * as kinesis from 'aws-cdk-lib/aws-kinesis';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { outboxParts, pipe } from './fixtures';
import { PipeBatchWithinTargetLimit as rule } from '../../../../../lib/nag/rules/pipes';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

test('a batch above 10 into an event bus is reported; 10 is accepted', () => {
  const s = stack();
  const { table, bus, role } = outboxParts(s);
  const stream = (batchSize: number) => ({ dynamoDbStreamParameters: { startingPosition: 'TRIM_HORIZON', batchSize } });
  pipe(s, 'Ten', table.tableStreamArn!, bus.eventBusArn, stream(10), role.roleArn);
  pipe(s, 'Eleven', table.tableStreamArn!, bus.eventBusArn, stream(11), role.roleArn);
  expect(findings(rule, s)).toEqual(['SPC-PIP1  S/Eleven']);
});

test('limits follow the target: 500 into Kinesis, 10 into an SQS queue named by ARN', () => {
  const s = stack();
  const { table, role } = outboxParts(s);
  const stream = (batchSize: number) => ({ dynamoDbStreamParameters: { startingPosition: 'LATEST', batchSize } });
  pipe(s, 'Kinesis', table.tableStreamArn!, new kinesis.Stream(s, 'K').streamArn, stream(500), role.roleArn);
  pipe(s, 'ImportedQueue', new sqs.Queue(s, 'Q').queueArn, 'arn:aws:sqs:us-east-1:111111111111:q', { sqsQueueParameters: { batchSize: 20 } }, role.roleArn);
  expect(findings(rule, s)).toEqual(['SPC-PIP1  S/ImportedQueue']);
});

test('a batch size left to the service, or a Lambda target (no batch limit), is not applicable', () => {
  const s = stack();
  const { table, bus, role } = outboxParts(s);
  const unset = pipe(s, 'Unset', table.tableStreamArn!, bus.eventBusArn, { dynamoDbStreamParameters: { startingPosition: 'LATEST' } }, role.roleArn);
  const lambdaTarget = pipe(s, 'Fn', table.tableStreamArn!, 'arn:aws:lambda:us-east-1:111111111111:function:f', { dynamoDbStreamParameters: { startingPosition: 'LATEST', batchSize: 100 } }, role.roleArn);
  expect(resultOn(rule, unset)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  expect(resultOn(rule, lambdaTarget)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
