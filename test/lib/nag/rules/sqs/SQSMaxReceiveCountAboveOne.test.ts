import { CfnParameter, CfnResource } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SQSMaxReceiveCountAboveOne as rule } from '../../../../../lib/nag/rules/sqs';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

test('maxReceiveCount 1 is reported on the queue; 2 is accepted', () => {
  const s = stack();
  const dlq = new sqs.Queue(s, 'Dlq');
  new sqs.Queue(s, 'Once', { deadLetterQueue: { queue: dlq, maxReceiveCount: 1 } });
  new sqs.Queue(s, 'Twice', { deadLetterQueue: { queue: dlq, maxReceiveCount: 2 } });
  expect(findings(rule, s)).toEqual(['SPC-SQS2  S/Once/Resource']);
});

test('a raw resource whose redrive policy is a JSON string is read, whatever its dead-letter queue (here imported)', () => {
  const s = stack();
  const RedrivePolicy = JSON.stringify({ deadLetterTargetArn: 'arn:aws:sqs:us-east-1:111111111111:dlq', maxReceiveCount: '1' });
  const q = new CfnResource(s, 'Q', { type: 'AWS::SQS::Queue', properties: { RedrivePolicy } });
  expect(resultOn(rule, q)).toBe(NagRuleCompliance.NON_COMPLIANT);
});

test('no redrive policy, or a count known only at deploy time, is not applicable', () => {
  const s = stack();
  expect(resultOn(rule, new sqs.Queue(s, 'Plain'))).toBe(NagRuleCompliance.NOT_APPLICABLE);
  const count = new CfnParameter(s, 'Count', { type: 'Number' });
  const q = new sqs.Queue(s, 'Q', { deadLetterQueue: { queue: new sqs.Queue(s, 'Dlq'), maxReceiveCount: count.valueAsNumber } });
  expect(resultOn(rule, q)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
