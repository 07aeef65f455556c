/**
 * Applies ONE ServerlessPatternsChecks rule to a fixture, the way the pack applies it (same id, level and
 * acknowledgement handling), and reports its findings as `ID  construct-path` lines, or its result on one
 * resource. A rule that swallows an error other than "value not resolvable" fails the test: fixtures must not hide
 * rule bugs behind "not applicable".
 */
import { CfnResource, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagPack, NagRuleResult } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { PackRule, SERVERLESS_PATTERNS_RULES } from '../../../../lib/nag/packs/serverless-patterns-rules';
import { listenForUnexpectedRuleErrors, NagRule } from '../../../../lib/nag/private/rule';
import { withSharedTemplate } from '../../../../lib/nag/private/template';

function packEntry(rule: NagRule): PackRule {
  const entry = SERVERLESS_PATTERNS_RULES.find((e) => e.rule === rule);
  if (!entry) throw new Error(`rule ${rule.name} is not in the pack`);
  return entry;
}

class SingleRulePack extends NagPack {
  public readonly name = 'SingleRule';
  constructor(private readonly entry: PackRule) {
    super();
    this.packName = 'SPC';
  }
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    return withSharedTemplate(() => super.validateScope(scope));
  }
  protected checkResource(node: CfnResource): void {
    this.applyRule({ ...this.entry, node });
  }
}

/** Fails on any error a rule swallowed that was not "not resolvable". */
function strictly<T>(run: () => T): T {
  const unexpected: string[] = [];
  const stop = listenForUnexpectedRuleErrors((rule, error) => unexpected.push(`${rule}: ${(error as Error)?.stack ?? error}`));
  try {
    const result = run();
    expect(unexpected).toEqual([]);
    return result;
  } finally {
    stop();
  }
}

/** The rule's findings over `scope`: `SPC-ID[finding]  path/of/L1/resource`, sorted. */
export function findings(rule: NagRule, scope: IConstruct): string[] {
  return strictly(() =>
    new SingleRulePack(packEntry(rule))
      .validateScope(scope)
      .violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName}  ${(r as { constructPath?: string }).constructPath}`))
      .sort(),
  );
}

/** The rule's result on one L1 resource (or the default child of an L2): compliant, non-compliant, N/A or findings. */
export function resultOn(rule: NagRule, construct: IConstruct): NagRuleResult {
  const node = CfnResource.isCfnResource(construct) ? construct : construct.node.defaultChild;
  if (!CfnResource.isCfnResource(node)) throw new Error(`${construct.node.path} has no L1 resource`);
  return strictly(() => withSharedTemplate(() => rule(node)));
}

/** The severity the pack gives a rule's findings. */
export function severityOf(rule: NagRule): string {
  return packEntry(rule).level;
}
