import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';
import { BufferedEventConsumer, BufferedEventInput, IdempotencyTable } from '../buffered-consumer';
import { ExampleStackProps } from './example-stack-props';
import { urlOrPlaceholder } from './private/placeholder-url';
import { bundledHandlerCode } from '../core/private/assets';

/** Properties of the {@link OrderEventsStack}. */
export interface OrderEventsStackProps extends ExampleStackProps {
  /**
   * The rate-limited downstream service each order is POSTed to (the sample app: `-c downstreamUrl=…`).
   * @default - a placeholder, 'https://orders.example.com/fulfilment', which only a synth-only run
   * (`-c synthOnly=true`) accepts: otherwise `cdk synth` and `cdk deploy` of this stack stop with an error
   */
  readonly downstreamUrl?: string;
  /**
   * How many consumer invocations may call the downstream at once.
   * @default 2
   */
  readonly maxConcurrency?: number;
}

/**
 * OrderPlaced events on an `orders` bus are buffered in SQS and forwarded to a rate-limited fulfilment service by
 * at most `maxConcurrency` concurrent consumers, at least once per event with duplicates suppressed (Powertools
 * idempotency; see the README for when a forward can repeat). When the service
 * is down, events wait in the queue (4 days) instead of being dropped after EventBridge's 24 hours of retries, and
 * when it recovers it is not flooded.
 */
export class OrderEventsStack extends Stack {
  /** The orders event bus. */
  public readonly bus: events.EventBus;
  /** The buffered consumer construct. */
  public readonly orderEvents: BufferedEventConsumer;

  constructor(scope: Construct, id: string, props: OrderEventsStackProps = {}) {
    super(scope, id, props);
    this.bus = new events.EventBus(this, 'OrdersBus', { description: 'Order lifecycle events' });
    const idempotency = new IdempotencyTable(this, 'Idempotency');
    this.orderEvents = new BufferedEventConsumer(this, 'OrderPlaced', {
      eventBus: this.bus,
      eventPattern: { source: ['com.example.orders'], detailType: ['OrderPlaced'] },
      ruleDescription: 'Buffers OrderPlaced events for the fulfilment forwarder',
      input: BufferedEventInput.WHOLE_EVENT,
      consumerProps: {
        code: bundledHandlerCode('order-events-consumer'),
        handler: 'index.handler',
        description: 'Forwards OrderPlaced events to the fulfilment service, once per event',
        timeout: Duration.seconds(10),
        environment: { DOWNSTREAM_URL: urlOrPlaceholder(this, props.downstreamUrl, { name: 'downstreamUrl', placeholder: 'https://orders.example.com/fulfilment' }) },
      },
      batchSize: 10,
      maxConcurrency: props.maxConcurrency ?? 2,
      idempotencyTable: idempotency,
      alarmAction: props.alarmAction,
    });
  }
}
