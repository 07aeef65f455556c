import { Match, Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_STACKS } from '../../support/examples';

describe('OrderEvents example', () => {
  const t = Template.fromStack(EXAMPLE_STACKS.OrderEvents());

  test('OrderPlaced events on the orders bus are buffered and drained by at most 2 consumers', () => {
    t.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: Match.stringLikeRegexp('^OrdersBus') },
      EventPattern: { 'source': ['com.example.orders'], 'detail-type': ['OrderPlaced'] },
    });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 2 } });
  });

  test('the consumer has the idempotency table, the downstream URL and the event input', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: {
          DOWNSTREAM_URL: 'https://orders.example.com/fulfilment',
          BUFFERED_EVENT_INPUT: 'WHOLE_EVENT',
          IDEMPOTENCY_TABLE_NAME: { Ref: Match.stringLikeRegexp('^IdempotencyTable') },
        },
      },
    });
  });
});

describe('Quotes example', () => {
  const t = Template.fromStack(EXAMPLE_STACKS.Quotes());

  test('the quote fetcher guards quotes-api with the extension layer', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Layers: [{ Ref: Match.stringLikeRegexp('^QuotesBreakerExtensionLayer') }],
      Environment: { Variables: Match.objectLike({ CIRCUIT_BREAKER_CIRCUIT_IDS: 'quotes-api', CIRCUIT_BREAKER_FAILURE_THRESHOLD: '3' }) },
    });
  });

  test('a health check probes /health every minute and feeds the same circuit', () => {
    t.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          CIRCUIT_BREAKER_HEALTH_CHECKS: JSON.stringify([{ url: 'https://quotes.example.com/health', circuitId: 'quotes-api', timeoutMs: 2000 }]),
        }),
      },
    });
  });
});
