import { NagRuleCompliance } from 'cdk-nag';
import { LAMBDA } from '../../../core/private/limits';
import { EVENT_SOURCE_MAPPING, EventSourceKind, functionAt, sourceKind } from '../../private/lambda';
import { isMarkedRateLimited } from '../../private/markers';
import { QUEUE, redrivePolicyOf } from '../../private/messaging';
import { findingsOrCompliant, defineRule } from '../../private/rule';
import { AppTemplate, TemplateResource } from '../../private/template';
import { numberValue, pathValue } from '../../private/values';

/** Concurrency an SQS event source mapping can reach on its own: reserving at least this much never throttles it. */
const SQS_POLLER_MAX_CONCURRENCY = 1000;
/**
 * The smallest `ScalingConfig.MaximumConcurrency` Lambda accepts, 2 (AWS Lambda API reference, "ScalingConfig":
 * https://docs.aws.amazon.com/lambda/latest/api/API_ScalingConfig.html, "Minimum value of 2"). A function reserved
 * at 1 cannot be given a cap at or below its reservation, so asking for one would be a finding nobody can fix.
 */
const MIN_MAXIMUM_CONCURRENCY = LAMBDA.sqsMaxConcurrency.min;

/**
 * An SQS event source mapping caps its concurrency with `ScalingConfig.MaximumConcurrency` when the function
 * must be throttled: when its reserved concurrency is below what the mapping can reach, Lambda throttles
 * invocations and the messages return to the queue, each return counting towards the redrive policy's
 * `maxReceiveCount` until healthy messages are dead-lettered; and when the function was marked as calling a
 * rate-limited downstream (`ServerlessPatternsChecks.markRateLimitedDownstream`).
 * Findings: `ReservedConcurrency` (no cap, or a cap above the reservation; only for a queue of the app with a
 * redrive policy, where throttles lose messages, and a reservation of at least 2, where a cap can be set),
 * `RateLimitedDownstream` (no cap).
 */
export const LambdaSQSMaximumConcurrency = defineRule(__filename, [EVENT_SOURCE_MAPPING], (esm, template) => {
  if (sourceKind(template, esm.properties.EventSourceArn, esm) !== EventSourceKind.SQS) return NagRuleCompliance.NOT_APPLICABLE;
  const fn = functionAt(template, esm.properties.FunctionName, esm);
  if (!fn) return NagRuleCompliance.NOT_APPLICABLE;
  const cap = numberValue(pathValue(esm.properties, ['ScalingConfig', 'MaximumConcurrency'], 'ScalingConfig'), 'MaximumConcurrency');
  const reserved = numberValue(fn.properties.ReservedConcurrentExecutions, 'ReservedConcurrentExecutions');
  const findings: string[] = [];
  // Reserved concurrency 0 switches the function off on purpose, and 1 leaves no cap to set.
  const throttled = reserved !== undefined && reserved >= MIN_MAXIMUM_CONCURRENCY && reserved < SQS_POLLER_MAX_CONCURRENCY;
  if (throttled && (cap === undefined || cap > reserved) && throttlesDeadLetter(esm, template)) findings.push('ReservedConcurrency');
  if (cap === undefined && isMarkedRateLimited(fn.node)) findings.push('RateLimitedDownstream');
  return findingsOrCompliant(findings);
});

/** Whether the mapping's queue is one of the app with a redrive policy (a queue outside the app cannot be known). */
function throttlesDeadLetter(esm: TemplateResource, template: AppTemplate): boolean {
  const queue = template.resourceAt(esm.properties.EventSourceArn, esm, QUEUE);
  return queue !== undefined && redrivePolicyOf(queue) !== undefined;
}
