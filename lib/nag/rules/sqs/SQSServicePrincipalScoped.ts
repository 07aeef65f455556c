import { grantsToService, hasSourceScoping, QUEUE_POLICY_TYPES, readQueuePolicy } from '../../private/queue-policy';
import { compliantUnless, defineRule } from '../../private/rule';

/**
 * Every statement of a queue policy that allows an AWS service principal carries `aws:SourceArn`,
 * `aws:SourceAccount` (or the organization keys): without one, any account's topic, rule or bucket can make the
 * service send to this queue (the confused deputy).
 */
export const SQSServicePrincipalScoped = defineRule(__filename, QUEUE_POLICY_TYPES, (policy, template) => {
  const unscoped = readQueuePolicy(template, policy).allowStatements.some(
    (statement) => grantsToService(statement) && !hasSourceScoping(statement),
  );
  return compliantUnless(unscoped);
});
