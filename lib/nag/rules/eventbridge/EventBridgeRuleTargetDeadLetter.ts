import { NagRuleCompliance } from 'cdk-nag';
import { compliantUnless, defineRule } from '../../private/rule';
import { listValue, pathValue } from '../../private/values';

/**
 * Every target of an EventBridge rule has a `DeadLetterConfig`: events EventBridge cannot deliver (missing
 * permission, deleted target, retries exhausted) are otherwise dropped without a trace. A `RetryPolicy` is not
 * required: without one EventBridge retries for the maximum (24 hours, 185 attempts), which is the safe default.
 * Not applicable to schedule-only rules: their events carry no data to recover, and a missed tick shows in the
 * rule's `FailedInvocations` metric. SPC-EVB3 (warning).
 */
export const EventBridgeRuleTargetDeadLetter = defineRule(__filename, ['AWS::Events::Rule'], (rule) => {
  const targets = listValue(rule.properties.Targets, 'Targets');
  const scheduleOnly = rule.properties.ScheduleExpression !== undefined && rule.properties.EventPattern === undefined;
  if (targets.length === 0 || scheduleOnly) return NagRuleCompliance.NOT_APPLICABLE;
  const missing = targets.some((t) => pathValue(t, ['DeadLetterConfig', 'Arn'], 'DeadLetterConfig') === undefined);
  return compliantUnless(missing);
});
