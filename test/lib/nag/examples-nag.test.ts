import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ScopedNagValidation, ServerlessPatternsChecks } from '../../../lib';
import { formatFindings } from '../../../lib/nag/private/format';
import { EXAMPLE_STACKS } from '../../support/examples';
import { REPORT_FILE, synthOutcome } from '../../support/validation';

test.each(Object.keys(EXAMPLE_STACKS))('%s has no unacknowledged AwsSolutions finding', (name) => {
  const report = new AwsSolutionsChecks().validateScope(EXAMPLE_STACKS[name]());
  // Printing the findings makes a failure say which rule and resource to look at.
  expect(formatFindings(report.violations)).toBe('');
  expect(report.success).toBe(true);
});

test.each(Object.keys(EXAMPLE_STACKS))('%s has no unacknowledged ServerlessPatternsChecks finding', (name) => {
  const report = new ServerlessPatternsChecks().validateScope(EXAMPLE_STACKS[name]());
  expect(formatFindings(report.violations)).toBe('');
  expect(report.success).toBe(true);
});

test('a new wildcard grant is reported and fails enforcement', () => {
  const stack = EXAMPLE_STACKS.RecruitingAgency();
  const role = stack.node.findChild('InventoryWriter').node.findChild('ServiceRole') as iam.Role;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:*'], resources: ['*'] }));
  expect(() => ScopedNagValidation.enforce(stack, new AwsSolutionsChecks())).toThrow(
    /cdk-nag: \d+ unacknowledged finding\(s\):[\s\S]*AwsSolutions-IAM5\[Action::sqs:\*\]  RecruitingAgency\/InventoryWriter\/ServiceRole\/DefaultPolicy\/Resource/,
  );
});

test('the validation plugin hands the pack its scope and reports the same findings', () => {
  const stack = EXAMPLE_STACKS.RecruitingAgency();
  const [plugin] = ScopedNagValidation.addPacks(stack.node.scope!, new AwsSolutionsChecks());
  expect(plugin.name).toBe('AwsSolutions');
  expect(plugin.validate({ templatePaths: [] }).success).toBe(true);
});

describe('packs registered as validation plugins', () => {
  const synthWithPacks = (addWildcard: boolean) => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'nag-')) });
    const stack = new Stack(app, 'S');
    const role = new iam.Role(stack, 'R', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [addWildcard ? '*' : 'arn:aws:sqs:us-east-1:111111111111:q'] }));
    ScopedNagValidation.addPacks(app, new AwsSolutionsChecks());
    // Each aws-cdk-lib release fails synthesis its own way (test/support/validation.ts): `cdk synth` fails either way,
    // and the report file holds the findings.
    const { error, exitCode } = synthOutcome(app);
    const reportFile = join(app.outdir, REPORT_FILE);
    const report = existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : '';
    return { failed: error !== undefined || exitCode === 1, report };
  };

  test('a finding fails the synth (exit code 1 or an error, by release) and lands in the CDK validation report', () => {
    const { failed, report } = synthWithPacks(true);
    expect(failed).toBe(true);
    expect(report).toContain('AwsSolutions-IAM5');
    expect(report).toContain('S/R/DefaultPolicy/Resource');
  });

  test('without findings synth succeeds', () => {
    expect(synthWithPacks(false).failed).toBe(false);
  });
});
