import { Duration } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SQSDeadLetterQueueOutlivesSource as rule } from '../../../../../lib/nag/rules/sqs';
import { NagRuleCompliance, stack, twoStacks } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

const withDlq = (scope: sqs.Queue['stack'], id: string, source?: Duration, dlq?: Duration, fifo?: boolean) =>
  new sqs.Queue(scope, id, {
    fifo,
    retentionPeriod: source,
    deadLetterQueue: { queue: new sqs.Queue(scope, `${id}Dlq`, { retentionPeriod: dlq, fifo }), maxReceiveCount: 3 },
  });

test('a dead-letter queue keeping messages no longer than its source is reported; one second longer is accepted', () => {
  const s = stack();
  withDlq(s, 'Defaults'); // both 4 days
  withDlq(s, 'Shorter', Duration.days(4), Duration.days(1));
  withDlq(s, 'Longer', Duration.days(4), Duration.seconds(4 * 86400 + 1));
  withDlq(s, 'Fortnight', undefined, Duration.days(14));
  expect(findings(rule, s)).toEqual(['SPC-SQS3  S/Defaults/Resource', 'SPC-SQS3  S/Shorter/Resource']);
});

test('FIFO queues are not applicable: a moved message gets a new enqueue time', () => {
  const s = stack();
  expect(resultOn(rule, withDlq(s, 'Fifo', undefined, undefined, true))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});

test('a dead-letter queue in another stack is compared; an imported one is not applicable', () => {
  const { app, producer, consumer } = twoStacks();
  const dlq = new sqs.Queue(producer, 'Dlq', { retentionPeriod: Duration.days(2) });
  new sqs.Queue(consumer, 'Q', { deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
  expect(findings(rule, app)).toEqual(['SPC-SQS3  Consumer/Q/Resource']);

  const s = stack();
  const imported = sqs.Queue.fromQueueArn(s, 'Imported', 'arn:aws:sqs:us-east-1:111111111111:dlq');
  expect(resultOn(rule, new sqs.Queue(s, 'Q', { deadLetterQueue: { queue: imported, maxReceiveCount: 3 } }))).toBe(
    NagRuleCompliance.NOT_APPLICABLE,
  );
});
