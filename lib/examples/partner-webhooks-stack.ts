import { Stack, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { ExampleStackProps } from './example-stack-props';
import { EgressDeliveryPath, RateLimitedEgress } from '../rate-limited-egress';
import { urlOrPlaceholder } from './private/placeholder-url';

/** Properties of the {@link PartnerWebhooksStack}. */
export interface PartnerWebhooksStackProps extends ExampleStackProps {
  /**
   * The partner's HTTPS webhook endpoint each order event is POSTed to (the sample app: `-c partnerWebhookUrl=…`).
   * @default - a placeholder, 'https://partner.example.com/webhooks/orders', which only a synth-only run
   * (`-c synthOnly=true`) accepts: otherwise `cdk synth` and `cdk deploy` of this stack stop with an error
   */
  readonly partnerWebhookUrl?: string;
  /**
   * Requests per second the partner allows, for the whole fleet of delivery environments.
   * @default 10
   */
  readonly rateLimitPerSecond?: number;
}

/**
 * Order events (OrderPlaced, OrderShipped, OrderCancelled) on an `orders` bus delivered as webhooks to a partner that
 * allows `rateLimitPerSecond` requests per second, through the BUFFERED path of {@link RateLimitedEgress}: a
 * fleet-wide send schedule, idempotency keys, and a circuit breaker that pauses the buffer while the partner is
 * down, so an outage of up to 4 days costs no event. The partner's API key lives in a secret the stack creates with
 * a generated placeholder value: put the partner's key in it after the first deployment.
 */
export class PartnerWebhooksStack extends Stack {
  /** The orders event bus. */
  public readonly bus: events.EventBus;
  /** The secret holding the partner's API key (sent in `x-api-key`). */
  public readonly apiKey: secretsmanager.Secret;
  /** The egress construct (buffer, delivery function, limiter, breaker, drain controller, alarms). */
  public readonly webhooks: RateLimitedEgress;

  constructor(scope: Construct, id: string, props: PartnerWebhooksStackProps = {}) {
    super(scope, id, props);
    const endpointUrl = urlOrPlaceholder(this, props.partnerWebhookUrl, {
      name: 'partnerWebhookUrl',
      placeholder: 'https://partner.example.com/webhooks/orders',
    });
    this.bus = new events.EventBus(this, 'OrdersBus', { description: 'Order lifecycle events, delivered to the partner as webhooks' });
    this.apiKey = new secretsmanager.Secret(this, 'PartnerApiKey', {
      description: 'API key the partner issued for its order webhooks (replace the generated placeholder value)',
      generateSecretString: { excludePunctuation: true, passwordLength: 32 },
    });
    Validations.of(this.apiKey).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'The partner issues this API key and replaces it on its own schedule; a rotation function in this account ' +
        'cannot obtain a new key from the partner. The delivery functions read the secret when an environment starts, ' +
        'so a new value takes effect without a deployment.',
    });
    this.webhooks = new RateLimitedEgress(this, 'PartnerWebhooks', {
      deliveryPath: EgressDeliveryPath.BUFFERED,
      eventBus: this.bus,
      eventPattern: { source: ['com.example.orders'], detailType: ['OrderPlaced', 'OrderShipped', 'OrderCancelled'] },
      endpointUrl,
      rateLimitPerSecond: props.rateLimitPerSecond ?? 10,
      apiKeySecret: this.apiKey,
      maxConcurrency: 2,
      alarmAction: props.alarmAction,
    });
  }
}
