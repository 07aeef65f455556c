import * as sqs from 'aws-cdk-lib/aws-sqs';
import { outboxParts, pipe } from './fixtures';
import { PipeStreamFailureHandling as rule } from '../../../../../lib/nag/rules/pipes';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

test('a stream pipe with the defaults gets all three findings', () => {
  const s = stack();
  const { table, bus, role } = outboxParts(s);
  pipe(s, 'Bare', table.tableStreamArn!, bus.eventBusArn, { dynamoDbStreamParameters: { startingPosition: 'LATEST', batchSize: 10 } }, role.roleArn);
  expect(findings(rule, s)).toEqual([
    'SPC-PIP2[DeadLetterConfig]  S/Bare',
    'SPC-PIP2[OnPartialBatchItemFailure]  S/Bare',
    'SPC-PIP2[UnboundedRetries]  S/Bare',
  ]);
});

test('a dead-letter queue, bounded retries and bisection make it compliant; one-record batches need no bisection', () => {
  const s = stack();
  const { table, bus, role } = outboxParts(s);
  const deadLetterConfig = { arn: new sqs.Queue(s, 'Dlq').queueArn };
  pipe(s, 'Outbox', table.tableStreamArn!, bus.eventBusArn, {
    dynamoDbStreamParameters: { startingPosition: 'TRIM_HORIZON', batchSize: 10, deadLetterConfig, maximumRetryAttempts: 10, onPartialBatchItemFailure: 'AUTOMATIC_BISECT' },
  }, role.roleArn);
  pipe(s, 'Single', table.tableStreamArn!, bus.eventBusArn, {
    dynamoDbStreamParameters: { startingPosition: 'TRIM_HORIZON', batchSize: 1, deadLetterConfig, maximumRecordAgeInSeconds: 3600 },
  }, role.roleArn);
  expect(findings(rule, s)).toEqual([]);
});

test('a queue source is not applicable', () => {
  const s = stack();
  const { bus, role } = outboxParts(s);
  expect(resultOn(rule, pipe(s, 'FromQueue', new sqs.Queue(s, 'Q').queueArn, bus.eventBusArn, {}, role.roleArn))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
