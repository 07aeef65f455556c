import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaExtraCaCerts } from '../../../../../lib/nag/rules/lambda';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn, severityOf } from '../../support/rule-harness';

test('NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem is a warning (SPC-LMB8); other values and none are compliant', () => {
  const s = stack();
  const bundle = fn(s, 'Bundle', { environment: { NODE_EXTRA_CA_CERTS: '/var/runtime/ca-cert.pem' } });
  const own = fn(s, 'Own', { environment: { NODE_EXTRA_CA_CERTS: '/opt/my-ca.pem' } });
  const none = fn(s, 'None');
  expect(findings(LambdaExtraCaCerts, s)).toEqual(['SPC-LMB8  S/Bundle/Resource']);
  expect(resultOn(LambdaExtraCaCerts, bundle)).toBe(NagRuleCompliance.NON_COMPLIANT);
  expect(resultOn(LambdaExtraCaCerts, own)).toBe(NagRuleCompliance.COMPLIANT);
  expect(resultOn(LambdaExtraCaCerts, none)).toBe(NagRuleCompliance.COMPLIANT);
  expect(severityOf(LambdaExtraCaCerts)).toBe('Warning');
});

test('an environment chosen by a condition is not applicable', () => {
  const s = stack();
  const f = fn(s, 'Fn');
  (f.node.defaultChild as lambda.CfnFunction).addPropertyOverride('Environment', { 'Fn::If': ['C', {}, {}] });
  expect(resultOn(LambdaExtraCaCerts, f)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
