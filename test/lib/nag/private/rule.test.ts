import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { NagRuleCompliance } from 'cdk-nag';
import { defineRule, listenForUnexpectedRuleErrors } from '../../../../lib/nag/private/rule';
import { withSharedTemplate } from '../../../../lib/nag/private/template';
import { NotResolvable } from '../../../../lib/nag/private/values';

const queue = () => new sqs.Queue(new Stack(new App(), 'S'), 'Q').node.defaultChild as sqs.CfnQueue;

test('a rule is named after its file and skips resource types it does not check', () => {
  const rule = defineRule('/somewhere/rules/sqs/QueueRule.ts', ['AWS::SNS::Topic'], () => NagRuleCompliance.NON_COMPLIANT);
  expect(rule.name).toBe('QueueRule');
  expect(withSharedTemplate(() => rule(queue()))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});

test('a value that cannot be resolved makes the rule not applicable, silently', () => {
  const seen: string[] = [];
  const stop = listenForUnexpectedRuleErrors((name) => seen.push(name));
  const rule = defineRule('Unresolvable.ts', ['AWS::SQS::Queue'], () => {
    throw new NotResolvable('VisibilityTimeout');
  });
  try {
    expect(withSharedTemplate(() => rule(queue()))).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(seen).toEqual([]);
  } finally {
    stop();
  }
});

test('any other error never escapes a rule: not applicable, and reported to a listener', () => {
  const seen: string[] = [];
  const stop = listenForUnexpectedRuleErrors((name, error) => seen.push(`${name}: ${(error as Error).message}`));
  const rule = defineRule('Buggy.ts', ['AWS::SQS::Queue'], (resource) => (resource.properties.Missing as { x: number }).x as never);
  try {
    expect(withSharedTemplate(() => rule(queue()))).toBe(NagRuleCompliance.NOT_APPLICABLE);
    expect(seen).toEqual([expect.stringMatching(/^Buggy: Cannot read properties of undefined/)]);
  } finally {
    stop();
  }
});
