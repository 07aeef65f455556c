import { NagRuleCompliance } from 'cdk-nag';
import { hasWildcard } from '../../private/arn';
import { coversAction, statementsOf } from '../../private/iam';
import { compliantUnless, defineRule } from '../../private/rule';
import { TemplateResource } from '../../private/template';
import { isPlainObject, listValue } from '../../private/values';

/** Identity-based policy resources, and where each keeps its documents. */
const POLICY_DOCUMENTS: Record<string, (resource: TemplateResource) => unknown[]> = {
  'AWS::IAM::Policy': (r) => [r.properties.PolicyDocument],
  'AWS::IAM::ManagedPolicy': (r) => [r.properties.PolicyDocument],
  'AWS::IAM::RolePolicy': (r) => [r.properties.PolicyDocument],
  'AWS::IAM::Role': (r) => listValue(r.properties.Policies, 'Policies').map((p) => (isPlainObject(p) ? p.PolicyDocument : undefined)),
};

/**
 * A policy that allows `events:PutEvents` names the event buses it may publish to: a wildcard (`*`,
 * `event-bus/*`) lets the holder inject events into every bus of the account, each able to trigger any rule.
 */
export const EventBridgePutEventsScoped = defineRule(
  __filename,
  Object.keys(POLICY_DOCUMENTS),
  (policy) => {
    const statements = POLICY_DOCUMENTS[policy.type](policy).flatMap((document) => statementsOf(document, policy));
    const putEvents = statements.filter((s) => s.allow && coversAction(s, 'events:PutEvents'));
    if (putEvents.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
    return compliantUnless(putEvents.some((s) => s.notResource || s.resources.some(hasWildcard)));
  },
  // Most roles hold no inline policy (aws-cdk-lib writes grants as AWS::IAM::Policy): nothing to render for them.
  (node, template) => node.cfnResourceType !== 'AWS::IAM::Role' || template.mayHave(node, 'policies'),
);
