import { NagRuleCompliance } from 'cdk-nag';
import { conditionValues, coversAction, PolicyStatement, servicePrincipals } from '../../private/iam';
import { deadLetterUses, SUBSCRIPTION } from '../../private/messaging';
import { grantsToService, hasSourceScoping, QUEUE_POLICY_TYPES, readQueuePolicy } from '../../private/queue-policy';
import { compliantUnless, defineRule } from '../../private/rule';
import { AppTemplate, TemplateResource } from '../../private/template';

/**
 * A dead-letter queue's policy lets services send to it only on behalf of the resources that use it as their
 * dead-letter queue: `sqs:SendMessage` to a service (or to anyone) is conditioned on `aws:SourceArn` naming the
 * topic, rule or pipe, not merely an account or a wildcard. Statements without any source condition are
 * SPC-SQS6's; a literal ARN without wildcards (a source outside the app) is accepted, and a source ARN the
 * template cannot resolve makes the rule not applicable.
 */
export const SQSDeadLetterQueuePolicyScopedToSource = defineRule(__filename, QUEUE_POLICY_TYPES, (policy, template) => {
  const { queues, allowStatements } = readQueuePolicy(template, policy);
  const uses = deadLetterUses(template);
  const deadLetterQueues = queues.filter((queue) => uses.has(queue));
  if (deadLetterQueues.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const sources = new Set(deadLetterQueues.flatMap((queue) => uses.get(queue)!.map((use) => sourceOf(template, use.user))));
  const verdicts = allowStatements.map((statement) => overlyBroad(template, statement, sources));
  if (verdicts.includes(undefined) && !verdicts.includes(true)) return NagRuleCompliance.NOT_APPLICABLE;
  return compliantUnless(verdicts.includes(true));
});

/** The resource a service acts for when it dead-letters on behalf of `user` (a subscription's topic, else itself). */
function sourceOf(template: AppTemplate, user: TemplateResource): TemplateResource {
  if (user.type !== SUBSCRIPTION) return user;
  return template.resourceAt(user.properties.TopicArn, user) ?? user;
}

/** Whether a statement lets services send beyond the queue's sources; undefined when its source ARN is unknowable. */
function overlyBroad(template: AppTemplate, statement: PolicyStatement, sources: Set<TemplateResource>): boolean | undefined {
  const toAnyone = servicePrincipals(statement.principal).includes('*');
  if (!coversAction(statement, 'sqs:SendMessage') || !(toAnyone || grantsToService(statement))) return false;
  const sourceArns = conditionValues(statement, 'aws:SourceArn');
  if (sourceArns === undefined) {
    // No source ARN: SPC-SQS6 reports a service statement with no scoping at all; an account-wide one is ours.
    return toAnyone || hasSourceScoping(statement);
  }
  const denoted = sourceArns.map((arn) => template.denote(arn, statement.owner));
  if (denoted.some((d) => (d.kind === 'literal' && /[*?]/.test(d.value)) || (d.kind === 'resource' && !sources.has(d.resource)))) {
    return true;
  }
  return denoted.some((d) => d.kind === 'unknown') ? undefined : false;
}
