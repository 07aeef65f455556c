import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { outboxParts, pipe } from './fixtures';
import { PipeSqsBatchingWindowWithinVisibility as rule } from '../../../../../lib/nag/rules/pipes';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn, severityOf } from '../../support/rule-harness';

const window = (seconds: number) => ({ sqsQueueParameters: { batchSize: 10, maximumBatchingWindowInSeconds: seconds } });

test('a batching window longer than the source queue visibility timeout is an error (SPC-PIP4); up to it is accepted', () => {
  const s = stack();
  const { bus, role } = outboxParts(s);
  const queue = new sqs.Queue(s, 'Q', { visibilityTimeout: Duration.seconds(60) });
  pipe(s, 'Longer', queue.queueArn, bus.eventBusArn, window(61), role.roleArn);
  pipe(s, 'Equal', queue.queueArn, bus.eventBusArn, window(60), role.roleArn);
  pipe(s, 'Shorter', queue.queueArn, bus.eventBusArn, window(5), role.roleArn);
  expect(findings(rule, s)).toEqual(['SPC-PIP4  S/Longer']);
  expect(severityOf(rule)).toBe('Error');
});

test("a queue without a visibility timeout has SQS's default, 30 seconds", () => {
  const s = stack();
  const { bus, role } = outboxParts(s);
  const queue = new sqs.Queue(s, 'Q');
  const over = pipe(s, 'Over', queue.queueArn, bus.eventBusArn, window(31), role.roleArn);
  const at = pipe(s, 'At', queue.queueArn, bus.eventBusArn, window(30), role.roleArn);
  expect(resultOn(rule, over)).toBe(NagRuleCompliance.NON_COMPLIANT);
  expect(resultOn(rule, at)).toBe(NagRuleCompliance.COMPLIANT);
});

test('a queue outside the app, a pipe without a window and a stream source are not applicable', () => {
  const s = stack();
  const { table, bus, role } = outboxParts(s);
  const imported = pipe(s, 'Imported', 'arn:aws:sqs:us-east-1:111111111111:orders', bus.eventBusArn, window(120), role.roleArn);
  const noWindow = pipe(s, 'NoWindow', new sqs.Queue(s, 'Q').queueArn, bus.eventBusArn, { sqsQueueParameters: { batchSize: 10 } }, role.roleArn);
  const stream = pipe(s, 'Stream', table.tableStreamArn!, bus.eventBusArn, { dynamoDbStreamParameters: { startingPosition: 'LATEST', maximumBatchingWindowInSeconds: 120 } }, role.roleArn);
  for (const p of [imported, noWindow, stream]) expect(resultOn(rule, p)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
