// What the README's snippets must have synthesized, checked on each language's template, and the check that every
// language synthesized the same template.
import { isDeepStrictEqual } from 'node:util';

const ofType = (resources, type) => Object.entries(resources).filter(([, r]) => r.Type === type);
const props = (resource) => resource.Properties ?? {};
const sameList = (a, b) => isDeepStrictEqual([...(a ?? [])].sort(), [...b].sort());

/** Each expectation: what it means, and whether the resources meet it. */
const EXPECTED = [
  ['FifoFanout: FIFO topic JobEvents.fifo', (rs) => ofType(rs, 'AWS::SNS::Topic').some(([, t]) => props(t).FifoTopic === true && props(t).TopicName === 'JobEvents.fifo')],
  ['FifoFanout: 6 FIFO queues (queue, queue DLQ, subscription DLQ per subscriber)', (rs) => ofType(rs, 'AWS::SQS::Queue').filter(([, q]) => props(q).FifoQueue === true).length === 6],
  ['FifoFanout: 2 raw-delivery subscriptions with redrive', (rs) => {
    const subs = ofType(rs, 'AWS::SNS::Subscription');
    return subs.length === 2 && subs.every(([, s]) => props(s).RawMessageDelivery === true && props(s).RedrivePolicy);
  }],
  ['FifoFanout: Inventory filtered to JobCreated and JobDeleted', (rs) => ofType(rs, 'AWS::SNS::Subscription')
    .some(([, s]) => sameList(props(s).FilterPolicy?.eventType, ['JobCreated', 'JobDeleted']))],
  ['consumers: partial batch responses, max concurrency 5 (Analytics), 2 (OrderPlaced) and 2 (PartnerWebhooks)', (rs) => {
    const mappings = ofType(rs, 'AWS::Lambda::EventSourceMapping');
    const caps = mappings.map(([, m]) => props(m).ScalingConfig?.MaximumConcurrency).filter((c) => c !== undefined);
    return mappings.length === 4 && mappings.every(([, m]) => sameList(props(m).FunctionResponseTypes, ['ReportBatchItemFailures'])) && sameList(caps, [2, 2, 5]);
  }],
  ['BufferedEventConsumer: rule for com.example.orders OrderPlaced on the orders bus', (rs) => {
    const bus = ofType(rs, 'AWS::Events::EventBus').map(([id]) => id);
    return ofType(rs, 'AWS::Events::Rule').some(([, r]) => sameList(props(r).EventPattern?.source, ['com.example.orders'])
      && sameList(props(r).EventPattern?.['detail-type'], ['OrderPlaced']) && bus.includes(props(r).EventBusName?.Ref));
  }],
  ['IdempotencyTable, CircuitBreaker, TransactionalOutbox and RateLimitedEgress (breaker, limiter): 5 tables with TTL', (rs) => {
    const tables = ofType(rs, 'AWS::DynamoDB::GlobalTable');
    return tables.length === 5 && tables.every(([, t]) => props(t).TimeToLiveSpecification?.Enabled === true);
  }],
  ['CircuitBreaker: QuoteFetcher protected (extension layer, circuit quotes-api)', (rs) => {
    const layers = ofType(rs, 'AWS::Lambda::LayerVersion').map(([id]) => id);
    return ofType(rs, 'AWS::Lambda::Function').some(([id, f]) => id.startsWith('QuoteFetcher')
      && (props(f).Layers ?? []).some((l) => layers.includes(l.Ref))
      && Object.values(props(f).Environment?.Variables ?? {}).includes('quotes-api'));
  }],
  ['TransactionalOutbox: a streamed table, a pipe to the bus, PlaceOrder may write', (rs) => {
    const streamed = ofType(rs, 'AWS::DynamoDB::GlobalTable').some(([, t]) => props(t).StreamSpecification?.StreamViewType === 'NEW_IMAGE');
    const writer = ofType(rs, 'AWS::Lambda::Function').find(([id]) => id.startsWith('PlaceOrder'));
    return streamed && ofType(rs, 'AWS::Pipes::Pipe').length === 1 && writer !== undefined
      && Object.keys(props(writer[1]).Environment?.Variables ?? {}).some((k) => k.startsWith('OUTBOX_'));
  }],
  ['EfsModelInference: a file system, an access point, the python3.14 handler in the VPC', (rs) =>
    ofType(rs, 'AWS::EFS::FileSystem').length === 1 && ofType(rs, 'AWS::EFS::AccessPoint').length === 1
      && ofType(rs, 'AWS::Lambda::Function').some(([id, f]) => id.startsWith('RankerInferenceFunction') && props(f).Runtime === 'python3.14'
        && props(f).Handler === 'app.handler' && props(f).VpcConfig && (props(f).FileSystemConfigs ?? []).length === 1)],
  ['PatternNodejsFunction: bundled by esbuild, asynchronous invokes with an on-failure destination', (rs) => {
    const fn = ofType(rs, 'AWS::Lambda::Function').find(([id]) => id.startsWith('Handler'));
    return fn !== undefined && props(fn[1]).Handler === 'index.handler' && ofType(rs, 'AWS::Lambda::EventInvokeConfig')
      .some(([, c]) => props(c).FunctionName?.Ref === fn[0] && props(c).DestinationConfig?.OnFailure);
  }],
  ['RateLimitedEgress: OrderShipped events buffered for a delivery function at 10/s to the partner\'s HTTPS endpoint', (rs) => {
    const rule = ofType(rs, 'AWS::Events::Rule').some(([, r]) => sameList(props(r).EventPattern?.source, ['com.example.shipping'])
      && sameList(props(r).EventPattern?.['detail-type'], ['OrderShipped']));
    return rule && ofType(rs, 'AWS::Lambda::Function').some(([, f]) => props(f).Environment?.Variables?.EGRESS_RATE_LIMIT_PER_SECOND === '10'
      && props(f).Environment?.Variables?.EGRESS_ENDPOINT_URL === 'https://partner.example.com/webhooks/orders');
  }],
  ['CircuitBreaker: health check every minute', (rs) => ofType(rs, 'AWS::Events::Rule').some(([, r]) => props(r).ScheduleExpression === 'rate(1 minute)')],
];

/** The expectations the template misses (empty when it has everything). */
export function missingFromTemplate(template) {
  const resources = template.Resources ?? {};
  return EXPECTED.filter(([, holds]) => !holds(resources)).map(([what]) => what);
}

/** How many expectations there are, for the summary. */
export const EXPECTATION_COUNT = EXPECTED.length;

// CDK's version-reporting resource names the jsii runtime (the language), so it differs by design.
function withoutMetadata(template) {
  const { CDKMetadata, ...resources } = template.Resources ?? {};
  return { ...template, Resources: resources };
}

/** Resource ids that differ between two languages' templates (empty when identical but for CDK's metadata). */
export function templateDifferences(a, b) {
  const left = withoutMetadata(a);
  const right = withoutMetadata(b);
  if (isDeepStrictEqual(left, right)) return [];
  const ids = new Set([...Object.keys(left.Resources), ...Object.keys(right.Resources)]);
  const differing = [...ids].filter((id) => !isDeepStrictEqual(left.Resources[id], right.Resources[id]));
  return differing.length > 0 ? differing : ['(outside Resources)'];
}
