import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { EventBridgeRuleTargetDeadLetter, EventBridgeRuleTargetLimit } from '../../../../../lib/nag/rules';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn, severityOf } from '../../support/rule-harness';

const ruleWith = (s: ReturnType<typeof stack>, id: string, count: number, deadLetterQueue?: sqs.IQueue) => {
  const rule = new events.Rule(s, id, { eventPattern: { source: ['orders'] } });
  for (let i = 0; i < count; i++) rule.addTarget(new targets.SqsQueue(new sqs.Queue(s, `${id}Q${i}`), { deadLetterQueue }));
  return rule;
};

test('six targets are an error (SPC-EVB1[TargetCount]); five are accepted', () => {
  const s = stack();
  const dlq = new sqs.Queue(s, 'Dlq');
  ruleWith(s, 'Five', 5, dlq);
  const six = ruleWith(s, 'Six', 5, dlq);
  (six.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.5', { Id: 'Extra', Arn: 'arn:aws:sqs:us-east-1:111111111111:q' });
  expect(findings(EventBridgeRuleTargetLimit, s)).toEqual(['SPC-EVB1[TargetCount]  S/Six/Resource']);
  expect(severityOf(EventBridgeRuleTargetLimit)).toBe('Error');
});

test('a target without a dead-letter queue is a warning (SPC-EVB1[DeadLetterConfig]); schedule-only rules are exempt', () => {
  const s = stack();
  ruleWith(s, 'Covered', 2, new sqs.Queue(s, 'Dlq'));
  ruleWith(s, 'Uncovered', 1);
  new events.Rule(s, 'Tick', { schedule: events.Schedule.rate(Duration.minutes(1)) })
    .addTarget(new targets.SqsQueue(new sqs.Queue(s, 'TickQ')));
  expect(findings(EventBridgeRuleTargetDeadLetter, s)).toEqual(['SPC-EVB1[DeadLetterConfig]  S/Uncovered/Resource']);
  expect(severityOf(EventBridgeRuleTargetDeadLetter)).toBe('Warning');
});

test('targets chosen by a condition are not applicable', () => {
  const s = stack();
  const rule = new events.CfnRule(s, 'R', { eventPattern: { source: ['a'] } });
  rule.addPropertyOverride('Targets', { 'Fn::If': ['C', [], []] });
  expect(resultOn(EventBridgeRuleTargetDeadLetter, rule)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  expect(resultOn(EventBridgeRuleTargetLimit, rule)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
