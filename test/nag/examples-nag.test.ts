import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { formatFindings, ScopedNagValidation } from '../../lib';
import { EXAMPLE_STACKS } from '../support/examples';

test.each(Object.keys(EXAMPLE_STACKS))('%s has no unacknowledged AwsSolutions finding', (name) => {
  const report = new AwsSolutionsChecks().validateScope(EXAMPLE_STACKS[name]());
  // Printing the findings makes a failure say which rule and resource to look at.
  expect(formatFindings(report.violations)).toBe('');
  expect(report.success).toBe(true);
});

test('a new wildcard grant is reported and fails enforcement', () => {
  const stack = EXAMPLE_STACKS.RecruitingAgency();
  const role = stack.node.findChild('InventoryWriterServiceRole') as iam.Role;
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:*'], resources: ['*'] }));
  expect(() => ScopedNagValidation.enforce(stack, new AwsSolutionsChecks())).toThrow(
    /cdk-nag: \d+ unacknowledged finding\(s\):[\s\S]*AwsSolutions-IAM5\[Action::sqs:\*\]  RecruitingAgency\/InventoryWriterServiceRole\/DefaultPolicy\/Resource/,
  );
});

test('the validation plugin hands the pack its scope and reports the same findings', () => {
  const stack = EXAMPLE_STACKS.RecruitingAgency();
  const [plugin] = ScopedNagValidation.addPacks(stack.node.scope!, new AwsSolutionsChecks());
  expect(plugin.name).toBe('AwsSolutions');
  expect(plugin.validate({ templatePaths: [] }).success).toBe(true);
});
