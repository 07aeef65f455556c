import { parse } from 'node:path';
import { CfnResource } from 'aws-cdk-lib';
import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { AppTemplate, TemplateResource } from './template';
import { NotResolvable } from './values';

/** A rule's logic: the resource it checks, already rendered, and the app's template to look across. */
export type RuleCheck = (resource: TemplateResource, template: AppTemplate) => NagRuleResult;

/**
 * A cheap test, before the resource is rendered, that it can matter to the rule at all (e.g. a role with no inline
 * policy cannot grant anything inline). False makes the rule "not applicable" without rendering the resource.
 */
export type RuleFilter = (node: CfnResource, template: AppTemplate) => boolean;

/** A cdk-nag rule: what `NagPack.applyRule` calls for every L1 resource. */
export type NagRule = (node: CfnResource) => NagRuleResult;

type UnexpectedErrorListener = (rule: string, error: unknown) => void;
let unexpectedErrorListener: UnexpectedErrorListener | undefined;

/**
 * Lets tests see errors a rule swallowed that were not "value not resolvable" (i.e. bugs or template shapes the
 * rule did not expect). Returns a function that removes the listener.
 */
export function listenForUnexpectedRuleErrors(listener: UnexpectedErrorListener): () => void {
  unexpectedErrorListener = listener;
  return () => {
    unexpectedErrorListener = undefined;
  };
}

/**
 * Makes a rule from `check`, named after its file (as cdk-nag names its rules), applied only to `resourceTypes`.
 * The rule never throws: a value it cannot resolve, and any template shape it did not expect, make it "not
 * applicable" — a third-party template must never break a synth or produce a finding from a guess. `applies`,
 * when given, is asked first, before the resource is rendered.
 */
export function defineRule(file: string, resourceTypes: readonly string[], check: RuleCheck, applies?: RuleFilter): NagRule {
  const name = parse(file).name;
  const rule = (node: CfnResource): NagRuleResult => {
    try {
      if (!resourceTypes.includes(node.cfnResourceType)) return NagRuleCompliance.NOT_APPLICABLE;
      const template = AppTemplate.of(node);
      if (applies && !applies(node, template)) return NagRuleCompliance.NOT_APPLICABLE;
      const resource = template.get(node);
      if (!resource?.rendered || !resourceTypes.includes(resource.type)) return NagRuleCompliance.NOT_APPLICABLE;
      return check(resource, template);
    } catch (error) {
      if (!(error instanceof NotResolvable)) unexpectedErrorListener?.(name, error);
      return NagRuleCompliance.NOT_APPLICABLE;
    }
  };
  Object.defineProperty(rule, 'name', { value: name });
  RESOURCE_TYPES.set(rule, resourceTypes);
  return rule;
}

/** The CloudFormation types each rule made by {@link defineRule} checks. */
const RESOURCE_TYPES = new WeakMap<NagRule, readonly string[]>();

/** The CloudFormation types `rule` checks (on any other resource it is not applicable). */
export function resourceTypesOf(rule: NagRule): readonly string[] {
  const types = RESOURCE_TYPES.get(rule);
  if (!types) throw new Error(`${rule.name} was not made by defineRule`);
  return types;
}

/** COMPLIANT when there is nothing to report, else the findings (each becomes `RULE[finding]`). */
export function findingsOrCompliant(findings: string[]): NagRuleResult {
  return findings.length === 0 ? NagRuleCompliance.COMPLIANT : [...new Set(findings)];
}

/** NON_COMPLIANT when `failed`, else COMPLIANT. */
export function compliantUnless(failed: boolean): NagRuleResult {
  return failed ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
}
