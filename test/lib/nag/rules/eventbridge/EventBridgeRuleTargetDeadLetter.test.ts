import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ruleWithQueueTargets } from './fixtures';
import { EventBridgeRuleTargetDeadLetter } from '../../../../../lib/nag/rules/eventbridge';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn, severityOf } from '../../support/rule-harness';

test('a target without a dead-letter queue is a warning (SPC-EVB3); targets that all have one are compliant', () => {
  const s = stack();
  const covered = ruleWithQueueTargets(s, 'Covered', 2, new sqs.Queue(s, 'Dlq'));
  ruleWithQueueTargets(s, 'Uncovered', 1);
  expect(findings(EventBridgeRuleTargetDeadLetter, s)).toEqual(['SPC-EVB3  S/Uncovered/Resource']);
  expect(resultOn(EventBridgeRuleTargetDeadLetter, covered)).toBe(NagRuleCompliance.COMPLIANT);
  expect(severityOf(EventBridgeRuleTargetDeadLetter)).toBe('Warning');
});

test('schedule-only rules and rules without targets are not applicable', () => {
  const s = stack();
  const tick = new events.Rule(s, 'Tick', { schedule: events.Schedule.rate(Duration.minutes(1)) });
  tick.addTarget(new targets.SqsQueue(new sqs.Queue(s, 'TickQ')));
  const empty = new events.Rule(s, 'Empty', { eventPattern: { source: ['a'] } });
  expect(resultOn(EventBridgeRuleTargetDeadLetter, tick)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  expect(resultOn(EventBridgeRuleTargetDeadLetter, empty)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});

test('targets chosen by a condition are not applicable', () => {
  const s = stack();
  const rule = new events.CfnRule(s, 'R', { eventPattern: { source: ['a'] } });
  rule.addPropertyOverride('Targets', { 'Fn::If': ['C', [], []] });
  expect(resultOn(EventBridgeRuleTargetDeadLetter, rule)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
