import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { apiDestination } from './api-destination-fixtures';
import { ruleWithQueueTargets } from './fixtures';
import { EventBridgeApiDestinationTargetFailureHandling } from '../../../../../lib/nag/rules/eventbridge';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn, severityOf } from '../../support/rule-harness';

const PATTERN = { source: ['shop.orders'] };

test('an API destination target needs a dead-letter queue and both retry bounds (SPC-EVB4, error)', () => {
  const s = stack();
  const destination = apiDestination(s, 'Partner', { rateLimitPerSecond: 10 });
  const dlq = new sqs.Queue(s, 'Dlq');
  const covered = new events.Rule(s, 'Covered', { eventPattern: PATTERN });
  covered.addTarget(new targets.ApiDestination(destination, { deadLetterQueue: dlq, retryAttempts: 20, maxEventAge: Duration.hours(6) }));
  new events.Rule(s, 'NoDlq', { eventPattern: PATTERN })
    .addTarget(new targets.ApiDestination(destination, { retryAttempts: 20, maxEventAge: Duration.hours(6) }));
  new events.Rule(s, 'AgeOnly', { eventPattern: PATTERN })
    .addTarget(new targets.ApiDestination(destination, { deadLetterQueue: dlq, maxEventAge: Duration.hours(6) }));
  new events.Rule(s, 'Neither', { eventPattern: PATTERN }).addTarget(new targets.ApiDestination(destination));
  expect(findings(EventBridgeApiDestinationTargetFailureHandling, s)).toEqual([
    'SPC-EVB4[DeadLetterConfig]  S/Neither/Resource',
    'SPC-EVB4[DeadLetterConfig]  S/NoDlq/Resource',
    'SPC-EVB4[RetryPolicy]  S/AgeOnly/Resource',
    'SPC-EVB4[RetryPolicy]  S/Neither/Resource',
  ]);
  expect(resultOn(EventBridgeApiDestinationTargetFailureHandling, covered)).toBe(NagRuleCompliance.COMPLIANT);
  expect(severityOf(EventBridgeApiDestinationTargetFailureHandling)).toBe('Error');
});

test('an API destination named by a literal ARN counts; rules without one are not applicable', () => {
  const s = stack();
  const rule = new events.CfnRule(s, 'Imported', {
    eventPattern: PATTERN,
    targets: [{ id: 'T', arn: 'arn:aws:events:us-east-1:123456789012:api-destination/partner/abc', roleArn: 'arn:aws:iam::123456789012:role/r' }],
  });
  expect(resultOn(EventBridgeApiDestinationTargetFailureHandling, rule)).toEqual(['DeadLetterConfig', 'RetryPolicy']);
  const queues = ruleWithQueueTargets(s, 'Queues', 2);
  expect(resultOn(EventBridgeApiDestinationTargetFailureHandling, queues)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
