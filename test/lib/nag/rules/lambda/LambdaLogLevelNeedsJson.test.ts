import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaLogLevelNeedsJson as rule } from '../../../../../lib/nag/rules/lambda';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

test('log levels with text logs are reported; with JSON logs they are accepted', () => {
  const s = stack();
  const text = fn(s, 'Text');
  (text.node.defaultChild as lambda.CfnFunction).loggingConfig = { logFormat: 'Text', applicationLogLevel: 'INFO' };
  fn(s, 'Json', { loggingFormat: lambda.LoggingFormat.JSON, applicationLogLevelV2: lambda.ApplicationLogLevel.INFO, systemLogLevelV2: lambda.SystemLogLevel.WARN });
  const implicit = fn(s, 'Implicit');
  (implicit.node.defaultChild as lambda.CfnFunction).addPropertyOverride('LoggingConfig', { SystemLogLevel: 'WARN' });
  expect(findings(rule, s)).toEqual(['SPC-LMB4  S/Implicit/Resource', 'SPC-LMB4  S/Text/Resource']);
});

test('a function without log levels is not applicable', () => {
  expect(resultOn(rule, fn(stack(), 'Plain'))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
