import { NagRuleCompliance } from 'cdk-nag';
import { EVENT_SOURCE_MAPPING, EventSourceKind, functionAt, sourceKind } from '../../private/lambda';
import { isMarkedRateLimited } from '../../private/markers';
import { findingsOrCompliant, defineRule } from '../../private/rule';
import { numberValue, pathValue } from '../../private/values';

/** Concurrency an SQS event source mapping can reach on its own: reserving at least this much never throttles it. */
const SQS_POLLER_MAX_CONCURRENCY = 1000;

/**
 * An SQS event source mapping caps its concurrency with `ScalingConfig.MaximumConcurrency` when the function
 * must be throttled: when its reserved concurrency is below what the mapping can reach (Lambda then throttles
 * invocations and the messages return to the queue, counting towards `maxReceiveCount`), and when the function was
 * marked as calling a rate-limited downstream (`ServerlessPatternsChecks.markRateLimitedDownstream`).
 * Findings: `ReservedConcurrency` (no cap, or a cap above the reservation), `RateLimitedDownstream` (no cap).
 */
export const LambdaSQSMaximumConcurrency = defineRule(__filename, [EVENT_SOURCE_MAPPING], (esm, template) => {
  if (sourceKind(template, esm.properties.EventSourceArn, esm) !== EventSourceKind.SQS) return NagRuleCompliance.NOT_APPLICABLE;
  const fn = functionAt(template, esm.properties.FunctionName, esm);
  if (!fn) return NagRuleCompliance.NOT_APPLICABLE;
  const cap = numberValue(pathValue(esm.properties, ['ScalingConfig', 'MaximumConcurrency'], 'ScalingConfig'), 'MaximumConcurrency');
  const reserved = numberValue(fn.properties.ReservedConcurrentExecutions, 'ReservedConcurrentExecutions');
  const findings: string[] = [];
  // Reserved concurrency 0 switches the function off on purpose; nothing to cap.
  if (reserved !== undefined && reserved > 0 && reserved < SQS_POLLER_MAX_CONCURRENCY && (cap === undefined || cap > reserved)) {
    findings.push('ReservedConcurrency');
  }
  if (cap === undefined && isMarkedRateLimited(fn.node)) findings.push('RateLimitedDownstream');
  return findingsOrCompliant(findings);
});
