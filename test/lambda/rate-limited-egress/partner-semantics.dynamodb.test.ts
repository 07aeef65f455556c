/**
 * The partner's HTTP semantics as the delivery sees them, over real HTTP on loopback with the real limiter and
 * breaker on DynamoDB Local: which answers dead-letter an event at once (permanent 4xx), which are retried (429,
 * 408, 5xx), and that a Retry-After on a 503 holds back the fleet's schedule. The dead-letter sink and the drain
 * switch are the runtime's own interfaces, recorded here (the outage test runs them against moto).
 */
import { randomUUID } from 'node:crypto';
import type { SQSRecord } from 'aws-lambda';
import { PartnerSimulator } from './partner-simulator';
import { CircuitBreaker } from '../../../lambda/runtime/circuit-breaker/breaker';
import { deliverBatch, DeliveryOptions } from '../../../lambda/runtime/rate-limited-egress/delivery';
import { FleetRateLimiter } from '../../../lambda/runtime/rate-limited-egress/rate-limiter';
import { BufferedEventInput } from '../../../lib/buffered-consumer/contract';
import { CIRCUIT_BREAKER_ENV } from '../../../lib/circuit-breaker/contract';
import { RATE_LIMITED_EGRESS_DEFAULTS as DEFAULTS } from '../../../lib/rate-limited-egress/contract';
import { createTestTable, localDynamoDbClient } from '../../support/dynamodb-local';

const client = localDynamoDbClient();
const keyed = { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }], BillingMode: 'PAY_PER_REQUEST' as const };
let tables: { limiter: string; circuits: string };
beforeAll(async () => {
  tables = { limiter: await createTestTable(client, 'semantics-limiter', keyed), circuits: await createTestTable(client, 'semantics-circuits', keyed) };
}, 60_000);
afterAll(() => client.destroy());

const quiet = { log: () => undefined };

function record(i: number, extra: Record<string, unknown> = {}): SQSRecord {
  const event = { 'version': '0', 'id': randomUUID(), 'detail-type': 'OrderPlaced', 'source': 'shop.orders', 'detail': { orderId: `o-${i}`, ...extra } };
  return {
    messageId: randomUUID(),
    receiptHandle: 'r',
    body: JSON.stringify(event),
    attributes: {} as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:buffer',
    awsRegion: 'us-east-1',
  };
}

function options(partner: PartnerSimulator, limitPerSecond: number) {
  const circuitId = `partner-${randomUUID()}`;
  const deadLettered: Array<{ id: string; status?: number }> = [];
  const opts: DeliveryOptions = {
    endpointUrl: `${partner.url}/webhooks/orders`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    idempotencyHeader: DEFAULTS.idempotencyHeader,
    input: BufferedEventInput.WHOLE_EVENT,
    semantics: { permanentStatuses: new Set(DEFAULTS.permanentStatuses), maxRetryAfterMs: DEFAULTS.maxRetryAfterMs, now: () => Date.now() },
    limiter: new FleetRateLimiter({ client, tableName: tables.limiter, limiterId: circuitId, limitPerSecond, startToleranceMs: 50 }),
    // A breaker that does not open in these tests: they are about single answers, not outages.
    breaker: new CircuitBreaker({
      dynamoDbClient: client,
      logger: quiet,
      metricSink: () => undefined,
      env: {
        [CIRCUIT_BREAKER_ENV.TABLE_NAME]: tables.circuits,
        [CIRCUIT_BREAKER_ENV.CIRCUIT_IDS]: circuitId,
        [CIRCUIT_BREAKER_ENV.FAILURE_COUNTING]: 'WINDOW',
        [CIRCUIT_BREAKER_ENV.FAILURE_THRESHOLD]: '1000',
        [CIRCUIT_BREAKER_ENV.CALL_TIMEOUT_MS]: '1000',
      },
    }),
    drain: { pause: async () => undefined, resume: async () => undefined, isDraining: async () => true },
    deadLetters: { send: async (r, reason) => void deadLettered.push({ id: JSON.parse(r.body).id, status: reason.status }) },
    attemptsPerInvocation: DEFAULTS.attemptsPerInvocation,
    callTimeoutMs: 1_000,
    logger: quiet,
  };
  return { opts, deadLettered };
}

const idOf = (r: SQSRecord) => JSON.parse(r.body).id as string;

/**
 * Invokes the delivery with `batch` until no record is handed back (as SQS would redeliver them), at most 5 times:
 * a record whose slot came too late on a busy machine is handed back, not lost.
 */
async function untilDelivered(batch: SQSRecord | SQSRecord[], opts: DeliveryOptions): Promise<void> {
  let pending = Array.isArray(batch) ? batch : [batch];
  for (let invocation = 0; invocation < 5 && pending.length > 0; invocation++) {
    const failed = new Set((await deliverBatch(pending, () => 20_000, opts)).batchItemFailures.map((f) => f.itemIdentifier));
    pending = pending.filter((r) => failed.has(r.messageId));
  }
}

test('a permanent 4xx (422) dead-letters its event at once, after one request; the others in the batch are delivered', async () => {
  const partner = await PartnerSimulator.start({ limitPerSecond: 100, latencyMs: [5, 10], phases: [], rejectBodiesContaining: 'reject-me', lifetimeMs: 60_000 });
  try {
    const { opts, deadLettered } = options(partner, 20);
    const bad = record(0, { note: 'reject-me' });
    const good = [1, 2, 3].map((i) => record(i));
    await untilDelivered([bad, ...good], opts);
    expect(deadLettered).toEqual([{ id: idOf(bad), status: 422 }]);
    expect(partner.requests.filter((r) => JSON.parse(r.body).id === idOf(bad))).toHaveLength(1);
    expect(new Set(partner.delivered().map((r) => JSON.parse(r.body).id))).toEqual(new Set(good.map(idOf)));
  } finally {
    partner.stop();
  }
}, 60_000);

test('429 from the partner is retried with the same idempotency key, never dead-lettered', async () => {
  // The limiter is told 20/s, the partner allows 3: the partner answers 429 with Retry-After: 1.
  const partner = await PartnerSimulator.start({ limitPerSecond: 3, latencyMs: [5, 10], phases: [], lifetimeMs: 60_000 });
  try {
    const { opts, deadLettered } = options(partner, 20);
    const batch = [0, 1, 2, 3, 4, 5].map((i) => record(i));
    await untilDelivered(batch, opts);
    expect(partner.requests.some((r) => r.status === 429)).toBe(true);
    expect(deadLettered).toEqual([]);
    expect(new Set(partner.delivered().map((r) => JSON.parse(r.body).id))).toEqual(new Set(batch.map(idOf)));
    for (const r of partner.requests) expect(r.idempotencyKey).toBe(`event:${JSON.parse(r.body).id}`);
  } finally {
    partner.stop();
  }
}, 60_000);

test('a 503 with Retry-After: 2 holds the schedule back: no new request starts for 2 s, then everything is delivered', async () => {
  const partner = await PartnerSimulator.start({
    limitPerSecond: 100,
    latencyMs: [5, 10],
    // Only the very first request meets the error burst.
    phases: [{ fromMs: 0, toMs: 1, kind: 'errors', retryAfterSeconds: 2 }],
    lifetimeMs: 60_000,
  });
  try {
    // One record per invocation keeps every later request's slot reserved after the 503 was answered.
    const { opts, deadLettered } = options(partner, 20);
    const first = record(0);
    const after = [1, 2, 3].map((i) => record(i));
    for (const r of [first, ...after]) await untilDelivered(r, opts);
    const [error, ...rest] = partner.requests;
    expect(error.status).toBe(503);
    // The first record's retry and every later request wait out the Retry-After (measured at the partner).
    expect(Math.min(...rest.map((r) => r.at)) - error.at).toBeGreaterThanOrEqual(1_950);
    expect(deadLettered).toEqual([]);
    expect(new Set(partner.delivered().map((r) => JSON.parse(r.body).id))).toEqual(new Set([first, ...after].map(idOf)));
  } finally {
    partner.stop();
  }
}, 60_000);
