import { compliantUnless, defineRule } from '../../private/rule';
import { listValue } from '../../private/values';

/** Targets EventBridge allows on one rule. */
const MAX_TARGETS = 5;

/**
 * An EventBridge rule has at most 5 targets, the service limit; more fails at deployment. Fan out through an SNS
 * topic or a second rule. SPC-EVB1 (error).
 */
export const EventBridgeRuleTargetLimit = defineRule(__filename, ['AWS::Events::Rule'], (rule) =>
  compliantUnless(listValue(rule.properties.Targets, 'Targets').length > MAX_TARGETS),
);
