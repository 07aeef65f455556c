import { CfnParameter } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { LambdaEventInvokeConfigBounds as rule } from '../../../../../lib/nag/rules/lambda';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

test('retries 0..2 and event age 60..21600 s are accepted at both ends; outside them is reported', () => {
  const s = stack();
  const config = (id: string, retries?: number, age?: number) =>
    new lambda.CfnEventInvokeConfig(s, id, { functionName: fn(s, `${id}Fn`).functionName, qualifier: '$LATEST', maximumRetryAttempts: retries, maximumEventAgeInSeconds: age });
  config('Low', 0, 60);
  config('High', 2, 21_600);
  config('TooManyRetries', 3);
  config('TooOld', undefined, 21_601);
  config('TooYoung', undefined, 59);
  expect(findings(rule, s)).toEqual(['SPC-LMB2  S/TooManyRetries', 'SPC-LMB2  S/TooOld', 'SPC-LMB2  S/TooYoung']);
});

test('values only known at deploy time are not applicable', () => {
  const s = stack();
  const retries = new CfnParameter(s, 'Retries', { type: 'Number' }).valueAsNumber;
  const config = new lambda.CfnEventInvokeConfig(s, 'C', { functionName: 'f', qualifier: '$LATEST', maximumRetryAttempts: retries });
  expect(resultOn(rule, config)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
