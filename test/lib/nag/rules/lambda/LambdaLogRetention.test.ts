import { App, Fn, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { LambdaLogRetention as rule } from '../../../../../lib/nag/rules/lambda';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

test('a function with no log group of its own, or one without retention, is reported', () => {
  const s = stack();
  fn(s, 'Implicit');
  fn(s, 'Forever', { logGroup: new logs.LogGroup(s, 'ForeverLogs', { retention: logs.RetentionDays.INFINITE }) });
  fn(s, 'Month', { logGroup: new logs.LogGroup(s, 'MonthLogs', { retention: logs.RetentionDays.ONE_MONTH }) });
  expect(findings(rule, s)).toEqual(['SPC-LMB5  S/Forever/Resource', 'SPC-LMB5  S/Implicit/Resource']);
});

test('a /aws/lambda/<name> group with retention (by reference or literal name) and the logRetention resource count', () => {
  const s = stack();
  const byRef = fn(s, 'ByRef');
  new logs.CfnLogGroup(s, 'ByRefLogs', { logGroupName: Fn.join('', ['/aws/lambda/', byRef.functionName]), retentionInDays: 7 });
  fn(s, 'ByName', { functionName: 'by-name' });
  new logs.CfnLogGroup(s, 'ByNameLogs', { logGroupName: '/aws/lambda/by-name', retentionInDays: 7 });
  const legacy = fn(s, 'Legacy'); // what the deprecated logRetention prop creates
  new logs.LogRetention(s, 'LegacyRetention', { logGroupName: `/aws/lambda/${legacy.functionName}`, retention: logs.RetentionDays.ONE_WEEK });
  expect(findings(rule, s).filter((f) => !f.includes('LogRetention'))).toEqual([]);
});

test('a log group outside the app is not applicable', () => {
  const s = stack();
  const f = fn(s, 'Fn', { logGroup: logs.LogGroup.fromLogGroupName(s, 'Shared', 'shared') });
  expect(resultOn(rule, f)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});

test("aws-cdk-lib's managed log group (feature flag @aws-cdk/aws-lambda:useCdkManagedLogGroup) counts", () => {
  const s = new Stack(new App({ context: { '@aws-cdk/aws-lambda:useCdkManagedLogGroup': true } }), 'S');
  fn(s, 'Managed');
  expect(findings(rule, s)).toEqual([]);
});
