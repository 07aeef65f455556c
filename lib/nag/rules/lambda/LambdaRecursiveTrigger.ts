import { NagRuleCompliance } from 'cdk-nag';
import { allowStatementsOf, coversAction, PolicyStatement } from '../../private/iam';
import { eventSourceMappingsInvoking, FUNCTION, roleOf } from '../../private/lambda';
import { QUEUE, SUBSCRIPTION, TOPIC } from '../../private/messaging';
import { compliantUnless, defineRule } from '../../private/rule';
import { AppTemplate, TemplateResource } from '../../private/template';
import { tryOr } from '../../private/values';

/** What a function needs to be granted to feed each kind of trigger. */
const FEEDING_ACTIONS: Record<string, string[]> = {
  [QUEUE]: ['sqs:SendMessage', 'sqs:SendMessageBatch'],
  [TOPIC]: ['sns:Publish'],
};

/**
 * A function is not allowed to send to the queue, or publish to the topic, that triggers it: every message it
 * sends invokes it again, a loop that runs up the bill until Lambda's recursion detection stops it (after about 16
 * invocations, dropping the event). Evidence is a grant naming that queue or topic in the function's role; a grant
 * on `*` is not counted (AwsSolutions-IAM5 reports it).
 */
export const LambdaRecursiveTrigger = defineRule(__filename, [FUNCTION], (fn, template) => {
  const triggers = triggersOf(template, fn);
  const role = roleOf(template, fn);
  if (triggers.length === 0 || !role) return NagRuleCompliance.NOT_APPLICABLE;
  const statements = allowStatementsOf(template, role);
  return compliantUnless(triggers.some((trigger) => statements.some((s) => feeds(template, s, trigger))));
});

/** The queues (event source mappings) and topics (lambda subscriptions) that invoke `fn`. */
function triggersOf(template: AppTemplate, fn: TemplateResource): TemplateResource[] {
  const queues = eventSourceMappingsInvoking(template, fn).map((esm) => template.resourceAt(esm.properties.EventSourceArn, esm, QUEUE));
  const topics = template
    .ofType(SUBSCRIPTION)
    .filter((s) => s.properties.Protocol === 'lambda' && template.resourceAt(s.properties.Endpoint, s) === fn)
    .map((s) => template.resourceAt(s.properties.TopicArn, s, TOPIC));
  return [...queues, ...topics].filter((t): t is TemplateResource => !!t);
}

function feeds(template: AppTemplate, statement: PolicyStatement, trigger: TemplateResource): boolean {
  if (statement.notResource || !FEEDING_ACTIONS[trigger.type].some((action) => coversAction(statement, action))) return false;
  return statement.resources.some((resource) => tryOr(() => template.resourceAt(resource, statement.owner) === trigger, false));
}
