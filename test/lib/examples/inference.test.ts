import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { formatFindings } from '../../../lib/nag/private/format';
import { EXAMPLE_STACKS } from '../../support/examples';

let stack: Stack;
beforeAll(() => {
  stack = EXAMPLE_STACKS.Inference();
});

test.each([['AwsSolutions', () => new AwsSolutionsChecks()], ['Serverless', () => new ServerlessChecks()]])(
  'the inference example has no unacknowledged %s finding',
  (_name, pack) => {
    const report = pack().validateScope(stack);
    expect(formatFindings(report.violations)).toBe('');
    expect(report.success).toBe(true);
  },
);

test('the example serves the shipped classifier, installed and checksummed before the function exists', () => {
  const t = Template.fromStack(stack);
  const shipped = readFileSync(join(__dirname, '..', '..', '..', 'lib', 'examples', 'inference-model', 'model.onnx'));
  const request = JSON.stringify(Object.values(t.findResources('Custom::EfsModelVersion'))[0].Properties.Request);
  expect(request).toContain(createHash('sha256').update(shipped).digest('hex'));
  t.hasOutput('FunctionUrl', {});
  t.hasOutput('ModelVersion', { Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ClassifierModelVersion'), 'Version'] } });
  t.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
});
