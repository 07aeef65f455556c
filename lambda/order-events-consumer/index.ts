/**
 * Sample consumer of the BufferedEventConsumer pattern: OrderPlaced events, buffered in SQS, forwarded to a
 * rate-limited downstream service exactly once per event.
 *
 * Environment:
 * - `DOWNSTREAM_URL` (required): where each order is POSTed.
 * - `DOWNSTREAM_TIMEOUT_MS` (default 3000): the longest one call may take.
 * - `IDEMPOTENCY_TABLE_NAME` (required) and `EVENT_BODY_SHAPE` (default `event`): read by the consumer runtime.
 */
import type { Context } from 'aws-lambda';
import { postJson } from './downstream';
import { orderPlacedFrom } from './order-placed';
import type { EventRecord } from '../runtime/event-record';
import { idempotentBatchHandler } from '../runtime/idempotent-consumer';

/** The environment variable with the downstream endpoint. */
export const DOWNSTREAM_URL_ENV = 'DOWNSTREAM_URL';
/** The environment variable with the per-call timeout in milliseconds. */
export const DOWNSTREAM_TIMEOUT_MS_ENV = 'DOWNSTREAM_TIMEOUT_MS';

const DEFAULT_TIMEOUT_MS = 3000;
// Leaves time to report the failure and delete the in-progress idempotency item before Lambda stops the function;
// a killed invocation would instead fail the whole batch, including records that had already succeeded.
const SHUTDOWN_MARGIN_MS = 500;

// Read once per execution environment: a missing or malformed setting fails the init loudly instead of every record.
const downstreamUrl = requiredUrl(DOWNSTREAM_URL_ENV);
const timeoutMs = positiveInteger(DOWNSTREAM_TIMEOUT_MS_ENV, DEFAULT_TIMEOUT_MS);

async function forwardOrder(record: EventRecord<unknown>, context: Context): Promise<void> {
  const order = orderPlacedFrom(record);
  await postJson({
    url: downstreamUrl,
    body: order,
    timeoutMs: Math.max(1, Math.min(timeoutMs, context.getRemainingTimeInMillis() - SHUTDOWN_MARGIN_MS)),
    idempotencyKey: record.event?.id ?? record.messageId,
  });
}

/** The Lambda handler: an SQS batch in, the messages to retry out. */
export const handler = idempotentBatchHandler(forwardOrder);

function requiredUrl(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`order-events-consumer: environment variable ${name} is not set`);
  try {
    return new URL(value).toString();
  } catch {
    throw new Error(`order-events-consumer: environment variable ${name} is not a URL: ${value}`);
  }
}

function positiveInteger(name: string, fallback: number): number {
  const text = process.env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value <= 0) {
    throw new Error(`order-events-consumer: environment variable ${name} must be a positive whole number, got ${text}`);
  }
  return value;
}
