import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaLayerLimit } from '../../../../../lib/nag/rules/lambda';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn, severityOf } from '../../support/rule-harness';

const layerArns = (n: number) => Array.from({ length: n }, (_, i) => `arn:aws:lambda:us-east-1:111111111111:layer:l${i}:1`);

test('six layers (possible only below the L2, which refuses them) are an error (SPC-LMB6); five are accepted', () => {
  const s = stack();
  const five = layerArns(5).map((arn, i) => lambda.LayerVersion.fromLayerVersionArn(s, `L${i}`, arn));
  fn(s, 'Five', { layers: five });
  (fn(s, 'Six').node.defaultChild as lambda.CfnFunction).layers = layerArns(6);
  expect(findings(LambdaLayerLimit, s)).toEqual(['SPC-LMB6  S/Six/Resource']);
  expect(severityOf(LambdaLayerLimit)).toBe('Error');
});

test('a layer list chosen by a condition is not applicable', () => {
  const s = stack();
  const f = fn(s, 'Fn');
  (f.node.defaultChild as lambda.CfnFunction).addPropertyOverride('Layers', { 'Fn::If': ['C', ['a'], ['b']] });
  expect(resultOn(LambdaLayerLimit, f)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
