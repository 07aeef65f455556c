/**
 * The one contract between the RateLimitedEgress construct and its runtime (the delivery function and the drain
 * controller): environment variable names, defaults and the partner's HTTP semantics. It imports nothing, so it
 * compiles into both the jsii library and the runtime helpers.
 */

/** Environment variables the construct sets on the delivery function and the drain controller. */
export const RATE_LIMITED_EGRESS_ENV = {
  /** The partner's HTTPS endpoint every event is sent to. */
  ENDPOINT_URL: 'EGRESS_ENDPOINT_URL',
  /** HTTP method of a delivery (POST, PUT or PATCH). */
  HTTP_METHOD: 'EGRESS_HTTP_METHOD',
  /** The fleet-wide limit, requests per second (integer ≥ 1). */
  RATE_LIMIT_PER_SECOND: 'EGRESS_RATE_LIMIT_PER_SECOND',
  /** Name of the limiter table (pk `id`, TTL `expiration`). */
  LIMITER_TABLE_NAME: 'EGRESS_LIMITER_TABLE_NAME',
  /** Key of this partner's limiter item: every environment delivering to the partner shares it. */
  LIMITER_ID: 'EGRESS_LIMITER_ID',
  /** How late a request may start after its slot, milliseconds; also widens the slot spacing (see the limiter). */
  START_TOLERANCE_MS: 'EGRESS_START_TOLERANCE_MS',
  /** Name of the request header that carries each event's idempotency key. */
  IDEMPOTENCY_HEADER: 'EGRESS_IDEMPOTENCY_HEADER',
  /** Comma-separated 4xx statuses that are permanent: the event goes to the dead-letter queue at once. */
  PERMANENT_STATUSES: 'EGRESS_PERMANENT_STATUSES',
  /** URL of the buffer's dead-letter queue (permanent rejections are sent there directly). */
  DEAD_LETTER_QUEUE_URL: 'EGRESS_DEAD_LETTER_QUEUE_URL',
  /**
   * UUID of the buffer's event source mapping, which the runtime disables while the circuit is open. Set on the
   * drain controller; the delivery function cannot carry it (the mapping is created after the function) and finds
   * its mapping from {@link RATE_LIMITED_EGRESS_ENV.BUFFER_QUEUE_ARN} and its own name.
   */
  EVENT_SOURCE_MAPPING_ID: 'EGRESS_EVENT_SOURCE_MAPPING_ID',
  /** ARN of the buffer queue the mapping reads. */
  BUFFER_QUEUE_ARN: 'EGRESS_BUFFER_QUEUE_ARN',
  /** URL the drain controller probes (GET) while the circuit is open. */
  PROBE_URL: 'EGRESS_PROBE_URL',
  /** How long the drain controller keeps watching an open circuit in one run, milliseconds. */
  CONTROLLER_WATCH_MS: 'EGRESS_CONTROLLER_WATCH_MS',
  /** Secrets Manager secret id whose value is sent in the API key header (optional). */
  API_KEY_SECRET_ID: 'EGRESS_API_KEY_SECRET_ID',
  /** Name of that header. */
  API_KEY_HEADER: 'EGRESS_API_KEY_HEADER',
} as const;

/** Defaults the runtime applies; the construct documents and validates against the same values. */
export const RATE_LIMITED_EGRESS_DEFAULTS = {
  httpMethod: 'POST',
  idempotencyHeader: 'Idempotency-Key',
  apiKeyHeader: 'x-api-key',
  /**
   * 4xx answers no retry can fix: the request itself is wrong (400, 422), not allowed (401, 403), aimed at
   * something that does not exist (404, 405, 410) or too large (413). 408 (timeout), 409 (conflict), 425 and 429
   * are retried.
   */
  permanentStatuses: [400, 401, 403, 404, 405, 410, 413, 422] as readonly number[],
  startToleranceMs: 50,
  /** Longest Retry-After honoured, milliseconds: a partner asking for more is treated as down (the breaker decides). */
  maxRetryAfterMs: 300_000,
  /** Delivery attempts of one record within one invocation (throttled retries), before it is handed back to SQS. */
  attemptsPerInvocation: 3,
  controllerWatchMs: 50_000,
  /**
   * Receives of a buffered event before the dead-letter queue. A paused buffer is not received from, so an outage
   * costs a waiting event at most the receive that met the failure and one in a batch already polled when the pause
   * took effect; 5 leaves room for two outages in a row.
   */
  maxReceiveCount: 5,
} as const;

/** Attributes of the limiter item. */
export const LIMITER_TABLE_SHAPE = {
  partitionKey: 'id',
  timeToLiveAttribute: 'expiration',
  /** Epoch microseconds of the next free send slot. */
  nextSlotAttribute: 'nextSlotUs',
} as const;
