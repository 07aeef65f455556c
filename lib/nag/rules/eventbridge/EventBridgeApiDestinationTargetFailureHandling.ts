import { NagRuleCompliance } from 'cdk-nag';
import { findingsOrCompliant, defineRule } from '../../private/rule';
import { AppTemplate, TemplateResource } from '../../private/template';
import { listValue, pathValue, stringValue } from '../../private/values';

/**
 * A rule target that is an API destination (a partner's HTTPS endpoint) has a dead-letter queue
 * (`[DeadLetterConfig]`) and a `RetryPolicy` stating both bounds, `MaximumRetryAttempts` and
 * `MaximumEventAgeInSeconds` (`[RetryPolicy]`).
 *
 * EventBridge retries an API destination only on 401, 407, 409, 429 and 5xx answers; any other 4xx (400, 403, 404,
 * 413...) fails the event at once, and without a dead-letter queue that event is dropped, leaving only the
 * `FailedInvocations` count (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html,
 * error handling; https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html). The retry window is the longest
 * partner outage the destination survives without dead-lettering, and events also age in it while the rate limit
 * holds them back (InvocationRateLimitPerSecond, EventBridge API reference): it is a decision to write down, not a
 * default to inherit (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-retry-policy.html).
 * SPC-EVB4 (error).
 */
export const EventBridgeApiDestinationTargetFailureHandling = defineRule(__filename, ['AWS::Events::Rule'], (rule, template) => {
  const partnerTargets = listValue(rule.properties.Targets, 'Targets').filter((t) => isApiDestination(pathValue(t, ['Arn'], 'Target Arn'), rule, template));
  if (partnerTargets.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const findings: string[] = [];
  for (const target of partnerTargets) {
    if (pathValue(target, ['DeadLetterConfig', 'Arn'], 'DeadLetterConfig') === undefined) findings.push('DeadLetterConfig');
    const attempts = pathValue(target, ['RetryPolicy', 'MaximumRetryAttempts'], 'RetryPolicy');
    const age = pathValue(target, ['RetryPolicy', 'MaximumEventAgeInSeconds'], 'RetryPolicy');
    if (attempts === undefined || age === undefined) findings.push('RetryPolicy');
  }
  return findingsOrCompliant(findings);
});

/** The target ARN names an API destination: one of the app's, or a literal `...:api-destination/...` ARN. */
function isApiDestination(arn: unknown, rule: TemplateResource, template: AppTemplate): boolean {
  if (template.resourceWithin(arn, rule, 'AWS::Events::ApiDestination')) return true;
  return typeof arn === 'string' && /^arn:[^:]+:events:[^:]*:[^:]*:api-destination\//.test(stringValue(arn, 'Target Arn') ?? '');
}
