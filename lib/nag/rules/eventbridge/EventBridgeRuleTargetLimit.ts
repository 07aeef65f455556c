import { defineRule, findingsOrCompliant } from '../../private/rule';
import { listValue } from '../../private/values';

/** Targets EventBridge allows on one rule. */
const MAX_TARGETS = 5;

/**
 * An EventBridge rule has at most 5 targets, the service limit; more fails at deployment. Fan out through an SNS
 * topic or a second rule. Finding: `TargetCount` (SPC-EVB1, error).
 */
export const EventBridgeRuleTargetLimit = defineRule(__filename, ['AWS::Events::Rule'], (rule) =>
  findingsOrCompliant(listValue(rule.properties.Targets, 'Targets').length > MAX_TARGETS ? ['TargetCount'] : []),
);
