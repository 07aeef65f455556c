import { conditionValues, PolicyStatement, servicePrincipals, statementsOf } from './iam';
import { QUEUE } from './messaging';
import { AppTemplate, TemplateResource } from './template';
import { listValue } from './values';

export const QUEUE_POLICY_TYPES = ['AWS::SQS::QueuePolicy', 'AWS::SQS::QueueInlinePolicy'];

/** A queue policy resource read: the app queues it applies to and its Allow statements. */
export interface QueuePolicy {
  /** Queues of the app the policy applies to (queues it names by a literal URL are left out). */
  readonly queues: readonly TemplateResource[];
  readonly allowStatements: readonly PolicyStatement[];
}

export function readQueuePolicy(template: AppTemplate, policy: TemplateResource): QueuePolicy {
  const urls = policy.type === 'AWS::SQS::QueuePolicy' ? listValue(policy.properties.Queues, 'Queues') : [policy.properties.Queue];
  return {
    queues: urls.map((url) => template.resourceAt(url, policy, QUEUE)).filter((q): q is TemplateResource => !!q),
    allowStatements: statementsOf(policy.properties.PolicyDocument, policy).filter((s) => s.allow),
  };
}

/** Condition keys that tie a service's request to a resource, account or organization (confused-deputy guards). */
const SOURCE_SCOPING_KEYS = ['aws:SourceArn', 'aws:SourceAccount', 'aws:SourceOwner', 'aws:SourceOrgID', 'aws:SourceOrgPaths'];

/** Whether a statement's principal includes an AWS service (e.g. `sns.amazonaws.com`). */
export function grantsToService(statement: PolicyStatement): boolean {
  return servicePrincipals(statement.principal).some((p) => p !== '*');
}

/** Whether the statement tests any of the confused-deputy condition keys. */
export function hasSourceScoping(statement: PolicyStatement): boolean {
  return SOURCE_SCOPING_KEYS.some((key) => conditionValues(statement, key) !== undefined);
}
