/**
 * cfn-lint as an oracle: every template the tests synthesize from a valid configuration (the example stacks, the
 * integ test stacks as committed in their snapshots, and each construct with its defaults) passes cfn-lint in every
 * region with no error, and every warning or informational finding is accepted in accepted-findings.ts with a reason.
 * Configurations CloudFormation would refuse are stopped either at synth or by cfn-lint here. One cfn-lint process
 * lints all of them (scripts/cfn-lint.mjs installs the pinned release on first use).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Errors, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ACCEPTED_FINDINGS, covers, REGION_GAPS } from './accepted-findings';
import { CfnLintFinding, describeFinding, lintTemplates, readTemplate } from './cfn-lint';
import { CONSTRUCT_DEFAULT_STACKS } from './construct-defaults';
import { REFUSED_CONFIGURATIONS } from './refused-configurations';
import { PatternErrors, SecureQueue } from '../../lib';
import { newStack } from '../support/cdk';
import { EXAMPLE_STACKS } from '../support/examples';

const INTEG_DIR = join(__dirname, '..', 'integ');

/** Every valid template by name; each read or synthesized only when the suite runs. */
const VALID: Record<string, () => object> = {};
for (const [name, build] of Object.entries(EXAMPLE_STACKS)) VALID[`example/${name}`] = () => synth(build());
for (const [name, build] of Object.entries(CONSTRUCT_DEFAULT_STACKS)) VALID[`defaults/${name}`] = () => synth(build());
for (const snapshot of readdirSync(INTEG_DIR).filter((entry) => entry.endsWith('.snapshot'))) {
  for (const file of readdirSync(join(INTEG_DIR, snapshot)).filter((entry) => entry.endsWith('.template.json'))) {
    VALID[`integ/${file.replace(/\.template\.json$/, '')}`] = () => readTemplate(join(INTEG_DIR, snapshot, file));
  }
}

/** An error cfn-lint must report, through an escape hatch no construct check can see: proof the oracle is wired. */
const CANARY = 'canary/VisibilityTimeoutOverride';
function canaryTemplate(): object {
  const stack = newStack('Canary');
  const queue = new SecureQueue(stack, 'Queue').queue.node.defaultChild as sqs.CfnQueue;
  queue.visibilityTimeout = 43_201; // SQS allows up to 43,200 seconds
  return synth(stack);
}

const refusedName = (i: number) => `refused/${i}`;
const REGION_GAP = /^Resource type '(.+)' does not exist in '(.+)'$/;

let findings: CfnLintFinding[] = [];
const rejectedAtSynth = new Map<string, string>();

beforeAll(() => {
  const templates: Record<string, object> = { [CANARY]: canaryTemplate() };
  for (const [name, read] of Object.entries(VALID)) templates[name] = read();
  REFUSED_CONFIGURATIONS.forEach((configuration, i) => {
    const stack = newStack(`Refused${i}`);
    try {
      configuration.build(stack);
      templates[refusedName(i)] = synth(stack);
    } catch (error) {
      // Only a validation error is a rejection; anything else is a broken case and must fail it.
      if (!PatternErrors.isPatternValidationError(error) && !Errors.isValidationError(error)) throw error;
      rejectedAtSynth.set(refusedName(i), (error as Error).message);
    }
  });
  findings = lintTemplates(templates, 'ALL_REGIONS');
}, 180_000); // a first run installs cfn-lint (about 10 s with a warm pip cache)

const findingsOf = (template: string) => findings.filter((f) => f.template === template);

/** An E3006 in a region REGION_GAPS lists for that resource type. */
function isKnownRegionGap(f: CfnLintFinding): boolean {
  const gap = f.rule === 'E3006' ? REGION_GAP.exec(f.message) : null;
  return gap !== null && (REGION_GAPS[gap[1]]?.regions ?? []).includes(gap[2]);
}

describe('valid configurations', () => {
  test.each(Object.keys(VALID))('%s: no cfn-lint error, every warning accepted with a reason', (name) => {
    const unexplained = findingsOf(name).filter(
      (f) => !isKnownRegionGap(f) && (f.rule.startsWith('E') || !ACCEPTED_FINDINGS.some((entry) => covers(entry, f))),
    );
    expect(unexplained.map(describeFinding)).toEqual([]);
  });

  test('the regions a resource type is missing from are exactly the pinned ones', () => {
    const missing: Record<string, string[]> = {};
    for (const f of findings.filter((x) => x.template in VALID && x.rule === 'E3006')) {
      const [, type, region] = REGION_GAP.exec(f.message) ?? [];
      if (type) missing[type] = [...new Set([...(missing[type] ?? []), region])].sort();
    }
    const pinned = Object.fromEntries(Object.entries(REGION_GAPS).map(([type, gap]) => [type, [...gap.regions].sort()]));
    expect(missing).toEqual(pinned);
  });

  test('every accepted finding still occurs, and none is an error', () => {
    const valid = findings.filter((f) => f.template in VALID);
    const stale = ACCEPTED_FINDINGS.filter((entry) => !valid.some((f) => covers(entry, f)));
    expect(stale.map((entry) => `${entry.rule} on ${entry.resourceType}`)).toEqual([]);
    expect(ACCEPTED_FINDINGS.filter((entry) => !/^[WI]\d+$/.test(entry.rule))).toEqual([]);
  });

  test('the oracle reports an error planted through an escape hatch', () => {
    const errors = findingsOf(CANARY).filter((f) => f.rule.startsWith('E'));
    expect(errors.map((f) => `${f.rule} ${f.path}`)).toEqual([
      expect.stringMatching(/^E3034 Resources\/Queue\w+\/Properties\/VisibilityTimeout$/),
    ]);
  });
});

describe('configurations CloudFormation would refuse are stopped before deploy', () => {
  test.each(REFUSED_CONFIGURATIONS.map((c, i) => [c.setting, c.value, i] as const))('%s = %s', (_setting, _value, i) => {
    const name = refusedName(i);
    const rule = REFUSED_CONFIGURATIONS[i].cfnLintRule;
    const found = findingsOf(name);
    // Synth rejecting it is the better outcome (the construct's own tests check that message).
    const outcome = rejectedAtSynth.has(name) ? 'rejected at synth'
      : found.some((f) => f.rule === rule) ? `refused by cfn-lint (${rule})`
        : `synthesized, and cfn-lint did not report ${rule}: ${JSON.stringify(found.map(describeFinding))}`;
    expect(outcome).toMatch(/^(rejected at synth|refused by cfn-lint)/);
  });
});

function synth(stack: Stack): object {
  return Template.fromStack(stack).toJSON();
}
