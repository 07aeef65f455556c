import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { formatFindings } from '../../../lib/nag/private/format';
import { EXAMPLE_STACKS } from '../../support/examples';

describe('OrderService example', () => {
  const t = Template.fromStack(EXAMPLE_STACKS.OrderService());

  test('the outbox publishes on the orders bus that both consumers listen on', () => {
    const [pipe] = Object.values(t.findResources('AWS::Pipes::Pipe')) as any[];
    expect(pipe.Properties.Target).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^OrdersBus/), 'Arn'] });
    expect(pipe.Properties.TargetParameters.EventBridgeEventBusParameters.Source).toBe('com.example.order-service');
    // Schedules (the pipe state check) have no event pattern.
    const rules = (Object.values(t.findResources('AWS::Events::Rule')) as any[]).filter((r) => r.Properties.EventPattern);
    expect(rules.map((r) => r.Properties.EventPattern)).toEqual([
      { 'source': ['com.example.order-service'], 'detail-type': ['OrderPlaced', 'OrderCancelled'] },
      { 'source': ['com.example.order-service'], 'detail-type': ['OrderPlaced', 'OrderCancelled'] },
    ]);
    for (const rule of rules) expect(rule.Properties.EventBusName).toEqual({ Ref: expect.stringMatching(/^OrdersBus/) });
  });

  test('the command function writes through the outbox', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ OUTBOX_EVENT_SOURCE: 'com.example.order-service', OUTBOX_TARGET: 'EVENT_BUS', OUTBOX_SORT_KEY: 'sk' }) },
    });
  });

  test('each consumer has its own view table, the idempotency table and at most 2 concurrent invocations', () => {
    for (const env of ['RESTAURANT_INBOX_TABLE', 'ORDER_TRACKING_TABLE']) {
      t.hasResourceProperties('AWS::Lambda::Function', {
        Environment: { Variables: Match.objectLike({ [env]: Match.anyValue(), IDEMPOTENCY_TABLE_NAME: Match.anyValue(), BUFFERED_EVENT_INPUT: 'WHOLE_EVENT' }) },
      });
    }
    t.resourcePropertiesCountIs('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 2 } }, 2);
  });
});

test('OrderService has no unacknowledged finding under AwsSolutions and ServerlessChecks', () => {
  for (const pack of [new AwsSolutionsChecks(), new ServerlessChecks()]) {
    const report = pack.validateScope(EXAMPLE_STACKS.OrderService());
    expect(formatFindings(report.violations)).toBe('');
    expect(report.success).toBe(true);
  }
});
