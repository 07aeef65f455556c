import * as events from 'aws-cdk-lib/aws-events';
import { ruleWithQueueTargets } from './fixtures';
import { EventBridgeRuleTargetLimit } from '../../../../../lib/nag/rules/eventbridge';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn, severityOf } from '../../support/rule-harness';

test('six targets are an error (SPC-EVB1); five are accepted', () => {
  const s = stack();
  ruleWithQueueTargets(s, 'Five', 5);
  const six = ruleWithQueueTargets(s, 'Six', 5);
  (six.node.defaultChild as events.CfnRule).addPropertyOverride('Targets.5', { Id: 'Extra', Arn: 'arn:aws:sqs:us-east-1:111111111111:q' });
  expect(findings(EventBridgeRuleTargetLimit, s)).toEqual(['SPC-EVB1  S/Six/Resource']);
  expect(severityOf(EventBridgeRuleTargetLimit)).toBe('Error');
});

test('targets chosen by a condition are not applicable', () => {
  const s = stack();
  const rule = new events.CfnRule(s, 'R', { eventPattern: { source: ['a'] } });
  rule.addPropertyOverride('Targets', { 'Fn::If': ['C', [], []] });
  expect(resultOn(EventBridgeRuleTargetLimit, rule)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
