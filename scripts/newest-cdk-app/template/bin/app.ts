// A user's app as `cdk init app --language=typescript` lays it out today (TypeScript 7, NodeNext), on the newest
// aws-cdk-lib: every construct of the library in one stack, every example stack, and the library's rule pack.
import * as path from 'node:path';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  BufferedEventConsumer, CircuitBreaker, EfsModelInference, EgressDeliveryPath, examples, FifoFanout, IdempotencyTable, ModelSource,
  PatternFunction, PatternNodejsFunction, RateLimitedEgress, ScopedNagValidation, ServerlessPatternsChecks, TransactionalOutbox,
} from 'cdk-serverless-patterns';

const app = new App({ context: { synthOnly: 'true' } });

// Every example stack, as the package ships them.
new examples.RecruitingAgencyStack(app, 'RecruitingAgency', {});
new examples.OrderEventsStack(app, 'OrderEvents', {});
new examples.OrderServiceStack(app, 'OrderService', {});
new examples.QuotesStack(app, 'Quotes', {});
new examples.InferenceStack(app, 'Inference', {});
new examples.OrderIntakeStack(app, 'OrderIntake', {});
new examples.PartnerWebhooksStack(app, 'PartnerWebhooks', {});

// Every construct, with the defaults a user starts from.
const stack = new Stack(app, 'Constructs');
const code = lambda.Code.fromAsset(path.join(__dirname, '..', 'handler'));
const consumer = (id: string) => new PatternFunction(stack, id, { code, handler: 'index.handler' });

const jobEvents = new FifoFanout(stack, 'JobEvents', { topicName: 'JobEvents.fifo' });
jobEvents.addSubscriber('Analytics', { consumer: consumer('AnalyticsWriter'), maxConcurrency: 5 });

new BufferedEventConsumer(stack, 'OrderPlaced', {
  eventPattern: { source: ['com.example.orders'], detailType: ['OrderPlaced'] },
  consumerProps: { code, handler: 'index.handler', timeout: Duration.seconds(10) },
  maxConcurrency: 2,
  idempotencyTable: new IdempotencyTable(stack, 'Idempotency'),
});

const breaker = new CircuitBreaker(stack, 'QuotesBreaker', {
  callTimeout: Duration.seconds(2),
  healthChecks: [{ url: 'https://quotes.example.com/health', circuitId: 'quotes-api' }],
});
breaker.protect(consumer('QuoteFetcher'), { circuitIds: ['quotes-api'] });

// The newest Node.js runtime this aws-cdk-lib knows (newer than the library's verified default): the library's layers
// must accept it.
const newestNode = lambda.Runtime.ALL
  .filter((r) => r.family === lambda.RuntimeFamily.NODEJS && /^nodejs\d+\.x$/.test(r.name))
  .reduce((a, b) => (Number(/\d+/.exec(b.name)![0]) > Number(/\d+/.exec(a.name)![0]) ? b : a));
breaker.protect(new PatternFunction(stack, 'OnNewestRuntime', { code, handler: 'index.handler', runtime: newestNode }), { circuitIds: ['quotes-api'] });

const outbox = new TransactionalOutbox(stack, 'Orders', { eventSource: 'com.example.orders', eventBusProps: {} });
outbox.grantWrite(consumer('PlaceOrder'));
new TransactionalOutbox(stack, 'Captured', {
  eventSource: 'com.example.catalog',
  eventBusProps: {},
  capture: { itemTypes: ['Product'], attributes: ['productId', 'price'] },
});

const partnerEvents = { source: ['com.example.orders'], detailType: ['OrderPlaced'] };
new RateLimitedEgress(stack, 'PartnerBuffered', {
  deliveryPath: EgressDeliveryPath.BUFFERED,
  endpointUrl: 'https://partner.example.com/webhooks/orders',
  rateLimitPerSecond: 20,
  eventPattern: partnerEvents,
});
const partnerKey = new secretsmanager.Secret(stack, 'PartnerApiKey');
new RateLimitedEgress(stack, 'PartnerManaged', {
  deliveryPath: EgressDeliveryPath.MANAGED,
  endpointUrl: 'https://partner.example.com/webhooks/orders',
  rateLimitPerSecond: 20,
  eventPattern: partnerEvents,
  authorization: events.Authorization.apiKey('x-api-key', partnerKey.secretValue),
});

// The demo model the package ships with its example stacks.
const packageDir = path.dirname(require.resolve('cdk-serverless-patterns/package.json'));
new EfsModelInference(stack, 'Ranker', { model: ModelSource.fromDirectory(path.join(packageDir, 'lib', 'examples', 'inference-model')) });

new PatternNodejsFunction(stack, 'Bundled', { entry: path.join(__dirname, '..', 'handler', 'entry.ts'), invokedAsynchronously: true });

ScopedNagValidation.enforce(app, new ServerlessPatternsChecks());
app.synth();
console.log(`synthesized ${app.node.children.filter((c) => c instanceof Stack).length} stacks`);
