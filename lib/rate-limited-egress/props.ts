import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { BufferedEventInput } from '../buffered-consumer/contract';
import { CircuitBreaker, CircuitBreakerProps } from '../circuit-breaker/circuit-breaker';
import { QueueAlarmOptions } from '../core/alarms';
import { PatternFunctionOptions } from '../core/pattern-function-options';
import { SecureQueueProps } from '../core/secure-queue';

/** How events reach the partner. Chosen explicitly: the two paths give different guarantees (see the README). */
export enum EgressDeliveryPath {
  /**
   * EventBridge rule → API destination. No code to run; the rate limit is EventBridge's best effort (not a
   * fleet-wide ceiling), retries are bounded by attempts and age, failures land in the target dead-letter queue.
   */
  MANAGED = 'MANAGED',
  /**
   * EventBridge rule → SQS buffer → delivery function. A fleet-wide per-second ceiling, the partner's 429/503 and
   * Retry-After honoured, idempotency keys, and a circuit breaker that pauses the buffer during an outage.
   */
  BUFFERED = 'BUFFERED',
}

/** HTTP method of a delivery. */
export enum EgressHttpMethod {
  POST = 'POST',
  PUT = 'PUT',
  PATCH = 'PATCH',
}

/** Properties of a {@link RateLimitedEgress}. */
export interface RateLimitedEgressProps extends QueueAlarmOptions {
  /** Which delivery path to build. */
  readonly deliveryPath: EgressDeliveryPath;
  /** The partner's HTTPS endpoint. */
  readonly endpointUrl: string;
  /**
   * Requests per second the partner allows. BUFFERED: a ceiling for the whole fleet of delivery environments.
   * MANAGED: the API destination's `InvocationRateLimitPerSecond`, which EventBridge applies on a best-effort basis.
   */
  readonly rateLimitPerSecond: number;
  /** Which events to deliver. */
  readonly eventPattern: events.EventPattern;
  /**
   * The bus the rule listens on.
   * @default - the account's default event bus (or a new bus with `eventBusProps`)
   */
  readonly eventBus?: events.IEventBus;
  /**
   * Creates a new bus with these props.
   * @default - `eventBus`, or the default bus
   */
  readonly eventBusProps?: events.EventBusProps;
  /**
   * HTTP method of each delivery.
   * @default EgressHttpMethod.POST
   */
  readonly httpMethod?: EgressHttpMethod;
  /**
   * How long the partner may be unreachable without losing an event: the buffer's retention must exceed it
   * (BUFFERED), EventBridge's maximum event age must cover it (MANAGED, at most 24 hours).
   * @default Duration.hours(24)
   */
  readonly outageTolerance?: Duration;
  /**
   * What happens to the limiter table (BUFFERED) when it leaves the stack; its one item rebuilds itself.
   * @default RemovalPolicy.DESTROY
   */
  readonly removalPolicy?: RemovalPolicy;

  // ---- BUFFERED ----

  /**
   * BUFFERED: what each request body holds.
   * @default BufferedEventInput.WHOLE_EVENT (the event id is the idempotency key)
   */
  readonly input?: BufferedEventInput;
  /**
   * BUFFERED: concurrent delivery environments (the event source's `maxConcurrency`, 2 to 1,000). Together with
   * `batchSize` it must fit the rate: every environment's batch must get its send slots within the function timeout.
   * @default 2
   */
  readonly maxConcurrency?: number;
  /**
   * BUFFERED: records per delivery invocation.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * BUFFERED: the buffer queue's settings (retention, receives before the dead-letter queue, encryption).
   * @default - 4 days retention, maxReceiveCount 5, SQS-managed encryption
   */
  readonly queueProps?: SecureQueueProps;
  /**
   * BUFFERED: the delivery function's options (memory, timeout, log group, reserved concurrency...).
   * @default - PatternFunction defaults, 30-second timeout
   */
  readonly deliveryFunctionOptions?: PatternFunctionOptions;
  /**
   * BUFFERED: the circuit breaker guarding the partner. Pass one to share circuits with other functions; its open
   * timeout is how often the partner is probed during an outage.
   * @default - a new CircuitBreaker with `circuitBreakerProps`
   */
  readonly circuitBreaker?: CircuitBreaker;
  /**
   * BUFFERED: settings of the breaker created when `circuitBreaker` is not given.
   * @default - CircuitBreaker defaults (failure rate 50 % over 20 calls, open 30 s, doubled up to 5 minutes)
   */
  readonly circuitBreakerProps?: CircuitBreakerProps;
  /**
   * BUFFERED: the partner's circuit id.
   * @default - derived from the construct path
   */
  readonly circuitId?: string;
  /**
   * BUFFERED: URL the drain controller probes (GET) once per open period; any answer below 500 counts as healthy.
   * @default - `endpointUrl`
   */
  readonly probeUrl?: string;
  /**
   * BUFFERED: request header carrying each event's idempotency key (`event:<event id>`, or `message:<SQS message
   * id>` when bodies hold only the detail).
   * @default 'Idempotency-Key'
   */
  readonly idempotencyHeaderName?: string;
  /**
   * BUFFERED: 4xx statuses no retry can fix: the event goes to the buffer's dead-letter queue at once. Other 4xx
   * (408, 409, 425, 429...) are retried.
   * @default [400, 401, 403, 404, 405, 410, 413, 422]
   */
  readonly permanentStatuses?: number[];
  /**
   * BUFFERED: a Secrets Manager secret whose value is sent in `apiKeyHeaderName`; the function reads it at init,
   * so it never appears in the template.
   * @default - no API key header
   */
  readonly apiKeySecret?: secretsmanager.ISecret;
  /**
   * BUFFERED: the header that carries `apiKeySecret`.
   * @default 'x-api-key'
   */
  readonly apiKeyHeaderName?: string;
  /**
   * BUFFERED: how late a request may start after its send slot. The limiter spaces slots by
   * `(1 s + startTolerance) / rateLimitPerSecond`, so the ceiling holds at the partner while latencies differ by less.
   * @default Duration.millis(50) (a schedule at 95 % of the limit)
   */
  readonly startTolerance?: Duration;

  // ---- MANAGED ----

  /**
   * MANAGED: the connection's authorization: `events.Authorization.apiKey`, `.basic` or `.oauth`, with values from
   * Secrets Manager (`SecretValue.secretsManager(...)`); a plain-text secret is rejected at synth.
   * @default - required for MANAGED
   */
  readonly authorization?: events.Authorization;
  /**
   * MANAGED: extra headers the connection adds to every request (at most 100; keys are HTTP tokens, values printable
   * ASCII, each at most 512 characters).
   * @default - none
   */
  readonly headerParameters?: Record<string, events.HttpParameter>;
  /**
   * MANAGED: extra query string parameters the connection adds to every request (at most 100; keys and values without
   * control characters, each at most 512 characters).
   * @default - none
   */
  readonly queryStringParameters?: Record<string, events.HttpParameter>;
  /**
   * MANAGED: extra body parameters the connection adds to every request (at most 100).
   * @default - none
   */
  readonly bodyParameters?: Record<string, events.HttpParameter>;
  /**
   * MANAGED: the request body, e.g. `events.RuleTargetInput.fromObject({ orderId: events.EventField.fromPath('$.detail.orderId') })`.
   * @default - the whole event
   */
  readonly inputTransformation?: events.RuleTargetInput;
  /**
   * MANAGED: the customer managed key EventBridge encrypts the connection's credentials with (its
   * `KmsKeyIdentifier`). EventBridge uses a key only when it carries the tag `EventBridgeApiDestinations: true`,
   * which the construct adds to a key defined in the app; tag an imported key yourself.
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-connections.html
   * @default - an AWS owned key
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * MANAGED: attempts EventBridge makes before the event goes to the target dead-letter queue (0 to 185).
   * @default 185
   */
  readonly retryAttempts?: number;
}
