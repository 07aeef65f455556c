/**
 * The OrderIntake example writes orders straight from API Gateway into DynamoDB: nothing refuses an oversized order
 * before commit, and the capture enrichment would set its event aside. So the API's request models must bound every
 * request so that its event stays within the per-event cap of the outbox's target and batch size. This test reads the
 * models from the synthesized template, builds the largest request they admit (every string at its maxLength, every
 * array at its maxItems, every number at its widest bound), writes it as the item the integration's template makes,
 * and runs the capture enrichment's own conversion on it: the event must be within the cap.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { capturedItemDeliveryFrom, captureSettingsFrom } from '../../../lambda/runtime/outbox/captured-item';
import { deliveredEventBytes } from '../../../lambda/runtime/outbox/sizes';
import { maxOutboxEventBytes, OUTBOX_ENV, OutboxTarget } from '../../../lib/transactional-outbox/contract';
import { EXAMPLE_STACKS } from '../../support/examples';

type Schema = Record<string, any>;

/**
 * The largest JSON value (by UTF-8 bytes of its serialization) a draft-4 schema admits, as far as this example's
 * schemas go; it throws for a string or an array without a bound, so loosening a model fails the test.
 */
function largest(schema: Schema, where: string): unknown {
  if (schema.enum) return [...schema.enum].sort((a, b) => JSON.stringify(b).length - JSON.stringify(a).length)[0];
  switch (schema.type) {
    case 'string': {
      if (typeof schema.maxLength !== 'number') throw new Error(`${where}: a string without maxLength`);
      // A pattern of ASCII characters only keeps each character one byte; otherwise count the widest JSON escape (\u0000).
      const ascii = typeof schema.pattern === 'string' && /^\^\[[A-Za-z0-9\\-]+\]\{\d+,\d+\}\$$/.test(schema.pattern);
      return ascii ? 'x'.repeat(schema.maxLength) : '\u0001'.repeat(schema.maxLength);
    }
    case 'integer':
    case 'number': {
      if (typeof schema.maximum !== 'number' || typeof schema.minimum !== 'number') throw new Error(`${where}: a number without bounds`);
      return String(schema.maximum).length >= String(schema.minimum).length ? schema.maximum : schema.minimum;
    }
    case 'array':
      if (typeof schema.maxItems !== 'number') throw new Error(`${where}: an array without maxItems`);
      return Array.from({ length: schema.maxItems }, (_, i) => largest(schema.items, `${where}[${i}]`));
    case 'object':
      if (schema.additionalProperties !== false) throw new Error(`${where}: an object that admits other properties`);
      return Object.fromEntries(Object.entries(schema.properties as Record<string, Schema>).map(([name, s]) => [name, largest(s, `${where}.${name}`)]));
    default:
      throw new Error(`${where}: schema type ${schema.type} is not handled`);
  }
}

const template = Template.fromStack(EXAMPLE_STACKS.OrderIntake());
const model = (name: string): Schema => {
  const [found] = Object.values(template.findResources('AWS::ApiGateway::Model', { Properties: { Name: name } })) as any[];
  return found.Properties.Schema;
};
const [enrichment] = Object.values(template.findResources('AWS::Lambda::Function', {
  Properties: { Description: 'Turns captured item changes from the DynamoDB stream into the events the outbox publishes' },
})) as any[];
const environment = enrichment.Properties.Environment.Variables as Record<string, string>;

/**
 * The order id is the API Gateway request id: a UUID (36 characters) when API Gateway generates it. A caller can
 * override it with the x-amzn-RequestId header ("Set up CloudWatch logging for REST APIs in API Gateway",
 * https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html), which no model bounds: such an
 * order's event, if too large, is set aside by the enrichment and counted.
 */
const ORDER_ID = 'f'.repeat(36);
/** The widest sequence the enrichment accepts (a safe integer): an order changed that many times. */
const WIDEST_VERSION = String(Number.MAX_SAFE_INTEGER);

/** The stream record of the item placeOrderTemplate writes for `request`, changed to the longest status. */
function capturedRecord(request: any, status: string) {
  return {
    eventID: 'e'.repeat(32),
    eventName: 'MODIFY',
    dynamodb: {
      ApproximateCreationDateTime: 4_102_444_800,
      NewImage: {
        pk: { S: `ORDER#${ORDER_ID}` },
        sk: { S: 'ORDER' },
        type: { S: 'Order' },
        orderId: { S: ORDER_ID },
        customerId: { S: request.customerId },
        items: { L: request.items.map((item: any) => ({ M: { sku: { S: item.sku }, quantity: { N: String(item.quantity) } } })) },
        totalCents: { N: String(request.totalCents) },
        status: { S: status },
        version: { N: WIDEST_VERSION },
      },
    },
  };
}

test('the largest order the API models admit makes an event within the outbox\'s per-event cap', () => {
  const request = largest(model('PlaceOrder'), 'PlaceOrder') as any;
  const status = String(largest(model('UpdateOrderStatus').properties.status, 'status'));
  const longestStatus = ['PLACED', status].sort((a, b) => b.length - a.length)[0];
  const settings = captureSettingsFrom(environment, 'com.example.order-intake');
  const target = environment[OUTBOX_ENV.TARGET] as OutboxTarget;
  const cap = maxOutboxEventBytes(target, Number(environment[OUTBOX_ENV.BATCH_SIZE]));

  // The enrichment's own conversion: it throws (the change would be set aside) for an event over the cap.
  const delivery = capturedItemDeliveryFrom(capturedRecord(request, longestStatus), settings)!;
  const bytes = deliveredEventBytes({
    target,
    source: settings.source,
    detailType: delivery.metadata.detailType,
    envelope: JSON.stringify({ metadata: delivery.metadata, data: delivery.data }),
    resource: delivery.eventID,
  });
  expect(request.items).toHaveLength(50);
  expect(bytes).toBeGreaterThan(2_000);
  expect(bytes).toBeLessThanOrEqual(cap);
});

test('the bound is the models\' doing: a model without maxItems or maxLength has no largest request', () => {
  const placeOrder = model('PlaceOrder');
  const { maxItems: _items, ...unboundedItems } = placeOrder.properties.items;
  expect(() => largest({ ...placeOrder, properties: { ...placeOrder.properties, items: unboundedItems } }, 'PlaceOrder')).toThrow(/without maxItems/);
  const { maxLength: _length, ...unboundedCustomer } = placeOrder.properties.customerId;
  expect(() => largest({ ...placeOrder, properties: { ...placeOrder.properties, customerId: unboundedCustomer } }, 'PlaceOrder')).toThrow(/without maxLength/);
});
