/**
 * The scaled setting the outage proof and the egress bench share: time scaled 1/40 (a 10-minute outage lasts 15 s,
 * the controller's 1-minute schedule 3 s, the open timeout 2 s capped at 4 s), a visibility timeout of 3 s, a
 * function timeout of 2.9 s with a 0.4 s call timeout, batches of 3, and an unscaled rate limit. Four environments
 * with batches of 3 book 1.2 s of send slots at 10/s, within the 2.9 − 0.4 − 1 = 1.5 s the construct's
 * ConcurrencyAboveRate check allows for these timeouts: a setting the construct would accept.
 */
import { randomUUID } from 'node:crypto';
import type { EgressTask } from './egress-fleet';
import type { MotoBuffer } from './moto-egress';
import { BUFFERED_CONSUMER_ENV } from '../../../lib/buffered-consumer/contract';
import { CIRCUIT_BREAKER_ENV } from '../../../lib/circuit-breaker/contract';
import { RATE_LIMITED_EGRESS_ENV as ENV } from '../../../lib/rate-limited-egress/contract';

/** The partner's 10-minute outage, scaled: ms after its first request. */
export const SCALED_OUTAGE = { fromMs: 6_000, toMs: 21_000 };
/** The partner's limit (requests per second), the delivery environments and the events waiting in the buffer. */
export const SCALED_LIMIT = 10;
export const SCALED_ENVIRONMENTS = 4;
export const SCALED_EVENTS = 200;
/** The processes stop once the buffer is empty, or at the latest this long after they are spawned. */
export const SCALED_RUN_MS = 150_000;
/** Records per invocation. */
export const SCALED_BATCH_SIZE = 3;
/** The controller's schedule, scaled. */
export const SCALED_CONTROLLER_SCHEDULE_MS = 3_000;

/** An EventBridge event as the buffer holds it (`WHOLE_EVENT`). */
export function orderEvent(i: number) {
  return {
    'version': '0',
    'id': randomUUID(),
    'detail-type': 'OrderPlaced',
    'source': 'shop.orders',
    'account': '123456789012',
    'time': new Date().toISOString(),
    'region': 'us-east-1',
    'resources': [],
    'detail': { orderId: `order-${i}` },
  };
}

/** What one scaled run needs. */
export interface ScaledRun {
  readonly partnerUrl: string;
  readonly limitPerSecond: number;
  readonly tables: { readonly limiter: string; readonly circuits: string };
  readonly buffer: MotoBuffer;
  readonly dynamoDbEndpoint: string;
  readonly motoEndpoint: string;
  readonly runMs: number;
  /** @default - the construct's default (50 ms) */
  readonly startToleranceMs?: number;
}

/** The environment the construct would set (scaled), and the task fields every process of the run shares. */
export function scaledTask(run: ScaledRun): Omit<EgressTask, 'role'> {
  const circuitId = `partner-${randomUUID()}`;
  const env: Record<string, string> = {
    [ENV.ENDPOINT_URL]: `${run.partnerUrl}/webhooks/orders`,
    [ENV.PROBE_URL]: `${run.partnerUrl}/health`,
    [ENV.RATE_LIMIT_PER_SECOND]: String(run.limitPerSecond),
    [ENV.LIMITER_TABLE_NAME]: run.tables.limiter,
    [ENV.LIMITER_ID]: circuitId,
    [ENV.DEAD_LETTER_QUEUE_URL]: run.buffer.dlqUrl,
    [ENV.CONTROLLER_WATCH_MS]: '2500',
    ...(run.startToleranceMs === undefined ? {} : { [ENV.START_TOLERANCE_MS]: String(run.startToleranceMs) }),
    [BUFFERED_CONSUMER_ENV.EVENT_INPUT]: 'WHOLE_EVENT',
    [CIRCUIT_BREAKER_ENV.TABLE_NAME]: run.tables.circuits,
    [CIRCUIT_BREAKER_ENV.CIRCUIT_IDS]: circuitId,
    [CIRCUIT_BREAKER_ENV.FAILURE_COUNTING]: 'WINDOW',
    [CIRCUIT_BREAKER_ENV.FAILURE_THRESHOLD]: '3',
    [CIRCUIT_BREAKER_ENV.FAILURE_WINDOW_MS]: '5000',
    [CIRCUIT_BREAKER_ENV.OPEN_TIMEOUT_MS]: '2000',
    [CIRCUIT_BREAKER_ENV.MAX_OPEN_TIMEOUT_MS]: '4000',
    [CIRCUIT_BREAKER_ENV.CALL_TIMEOUT_MS]: '400',
    [CIRCUIT_BREAKER_ENV.STATE_MAX_AGE_MS]: '200',
  };
  return {
    env,
    dynamoDbEndpoint: run.dynamoDbEndpoint,
    motoEndpoint: run.motoEndpoint,
    queueUrl: run.buffer.queueUrl,
    mappingId: run.buffer.mappingId,
    functionName: run.buffer.functionName,
    mappedQueueArn: run.buffer.mappedQueueArn,
    stopAt: Date.now() + run.runMs,
    batchSize: SCALED_BATCH_SIZE,
    visibilityTimeoutSeconds: 3,
    functionTimeoutMs: 2_900,
    callTimeoutMs: 400,
    controllerScheduleMs: SCALED_CONTROLLER_SCHEDULE_MS,
  };
}
