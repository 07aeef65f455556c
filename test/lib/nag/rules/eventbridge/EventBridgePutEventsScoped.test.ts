import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import { EventBridgePutEventsScoped as rule } from '../../../../../lib/nag/rules/eventbridge';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

test('PutEvents on * or on every bus is reported on the policy; on named buses it is accepted', () => {
  const s = stack();
  events.EventBus.grantAllPutEvents(fn(s, 'Everywhere')); // aws-cdk-lib's "all buses" grant: Resource *
  new events.EventBus(s, 'Orders').grantPutEventsTo(fn(s, 'Named'));
  new iam.ManagedPolicy(s, 'AnyBus', {
    statements: [new iam.PolicyStatement({ actions: ['events:Put*'], resources: [`arn:aws:events:us-east-1:${s.account}:event-bus/*`] })],
  });
  expect(findings(rule, s)).toEqual(['SPC-EVB2  S/AnyBus/Resource', 'SPC-EVB2  S/Everywhere/ServiceRole/DefaultPolicy/Resource']);
});

test('inline role policies are read; policies without PutEvents are not applicable', () => {
  const s = stack();
  new iam.Role(s, 'Inline', {
    assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
    inlinePolicies: { put: new iam.PolicyDocument({ statements: [new iam.PolicyStatement({ actions: ['events:PutEvents'], resources: ['*'] })] }) },
  });
  expect(findings(rule, s)).toEqual(['SPC-EVB2  S/Inline/Resource']);
  const other = new iam.ManagedPolicy(s, 'Other', { statements: [new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: ['*'] })] });
  expect(resultOn(rule, other)).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
