/**
 * Delivers one SQS batch of events to the partner: each request waits for a fleet-wide send slot, goes through the
 * circuit breaker, carries the event's idempotency key, and its answer decides the record's fate (see
 * partner-http.ts). When the breaker refuses calls, the buffer stops draining (drain-switch.ts) and the batch's
 * undelivered records go back to the queue, where they wait without being received again.
 */
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { callPartner, PartnerAnswer, PartnerFailure, PartnerSemantics } from './partner-http';
import { FleetRateLimiter, SlotDeadlineError } from './rate-limiter';
import { BufferedEventInput } from '../../../lib/buffered-consumer/contract';
import type { CircuitBreaker } from '../circuit-breaker/breaker';
import { CallerError, CircuitOpenError } from '../circuit-breaker/errors';
import { MalformedMessageError, parseEventRecord } from '../event-record';
import { defaultIdempotencyKey } from '../idempotency-key';
import type { DrainSwitch } from './drain-switch';

/** Where permanently rejected events go (the buffer's dead-letter queue), with the reason. */
export interface DeadLetterSink {
  send(record: SQSRecord, reason: { status?: number; error: string }): Promise<void>;
}

/** Structured log lines. */
export interface DeliveryLogger {
  log(level: 'INFO' | 'WARN' | 'ERROR', message: string, fields?: Record<string, unknown>): void;
}

/** What a delivery needs. */
export interface DeliveryOptions {
  readonly endpointUrl: string;
  readonly method: string;
  /** Headers sent with every request (content type, API key). */
  readonly headers: Record<string, string>;
  readonly idempotencyHeader: string;
  /** What the message bodies hold. */
  readonly input: BufferedEventInput;
  readonly semantics: PartnerSemantics;
  readonly limiter: FleetRateLimiter;
  readonly breaker: CircuitBreaker;
  readonly drain: DrainSwitch;
  readonly deadLetters: DeadLetterSink;
  /** Attempts of one record in one invocation (throttled or failed answers are retried at a later slot). */
  readonly attemptsPerInvocation: number;
  /** Time a request may take, ms (the breaker's call timeout). */
  readonly callTimeoutMs: number;
  readonly logger: DeliveryLogger;
  /** Observes every answer (tests, metrics). */
  readonly onAnswer?: (record: SQSRecord, answer: PartnerAnswer | PartnerFailure | CircuitOpenError) => void;
}

/** Room kept at the end of an invocation to answer Lambda, ms. */
const SHUTDOWN_MARGIN_MS = 500;

type Fate = 'done' | 'retry' | 'refused';

/** The request could not start within the start tolerance of its slot; it was not sent. */
class SlotMissedError extends CallerError {
  constructor() {
    super('send slot missed: not sent');
  }
}

/** Delivers `records`; the response lists the ones SQS must redeliver. `remainingMs` is the invocation's time left. */
export async function deliverBatch(records: SQSRecord[], remainingMs: () => number, options: DeliveryOptions): Promise<SQSBatchResponse> {
  const now = () => options.semantics.now();
  const deadline = now() + remainingMs() - options.callTimeoutMs - SHUTDOWN_MARGIN_MS;
  const attempts = new Map<string, number>();
  let pending = records;
  let refused = false;

  while (pending.length > 0 && !refused) {
    const current = pending.filter((r) => (attempts.get(r.messageId) ?? 0) < options.attemptsPerInvocation);
    if (current.length === 0) break;
    let slots: number[];
    try {
      slots = (await options.limiter.reserve(current.length, deadline)).slots;
    } catch (err) {
      if (err instanceof SlotDeadlineError) break;
      throw err;
    }
    const fates = await Promise.all(current.map(async (record, i) => {
      attempts.set(record.messageId, (attempts.get(record.messageId) ?? 0) + 1);
      return deliverOne(record, slots[i], options);
    }));
    if (fates.includes('refused')) refused = true;
    pending = current.filter((_, i) => fates[i] !== 'done');
  }

  if (refused) {
    // The breaker refused calls: stop the event source so the waiting records are not received (and counted) again.
    try {
      await options.drain.pause();
      options.logger.log('WARN', 'circuit open: paused the buffer event source', { undelivered: pending.length });
    } catch (err) {
      options.logger.log('ERROR', 'circuit open but the event source could not be paused', { error: (err as Error).message });
    }
  }
  return { batchItemFailures: pending.map((r) => ({ itemIdentifier: r.messageId })) };
}

async function deliverOne(record: SQSRecord, slot: number, options: DeliveryOptions): Promise<Fate> {
  let key: string;
  try {
    key = defaultIdempotencyKey(parseEventRecord(record, options.input));
  } catch (err) {
    if (!(err instanceof MalformedMessageError)) throw err;
    // No request can ever be made for it: straight to the dead-letter queue, with the reason.
    return deadLetter(record, { error: err.message }, options);
  }
  let answer: PartnerAnswer;
  try {
    // The slot is awaited inside the guarded call, after the breaker has read the circuit state, so nothing stands
    // between the on-time check and the request; the call's timeout starts counting at the slot.
    const waitMs = Math.max(0, slot - options.semantics.now());
    answer = await options.breaker.call(async ({ signal, probe }) => {
      if (!(await options.limiter.waitFor(slot))) {
        // A missed slot is not the partner's fault, except for a probe, which must not close the circuit unsent.
        throw probe ? new Error('probe missed its send slot') : new SlotMissedError();
      }
      return callPartner({
        url: options.endpointUrl,
        method: options.method,
        headers: { ...options.headers, [options.idempotencyHeader]: key },
        body: record.body,
        signal,
      }, options.semantics);
    }, { callTimeoutMs: waitMs + options.callTimeoutMs });
  } catch (err) {
    if (err instanceof SlotMissedError) return 'retry';
    options.onAnswer?.(record, err as PartnerFailure);
    if (CircuitOpenError.is(err)) return 'refused';
    const retryAfterMs = err instanceof PartnerFailure ? err.retryAfterMs : undefined;
    if (retryAfterMs !== undefined) await options.limiter.pauseUntil(options.semantics.now() + retryAfterMs);
    options.logger.log('WARN', 'delivery failed', { messageId: record.messageId, error: (err as Error).message });
    return 'retry';
  }
  options.onAnswer?.(record, answer);
  switch (answer.kind) {
    case 'delivered':
      return 'done';
    case 'rejected':
      return deadLetter(record, { status: answer.status, error: answer.body }, options);
    case 'throttled':
      await options.limiter.pauseUntil(options.semantics.now() + (answer.retryAfterMs ?? 0));
      return 'retry';
  }
}

async function deadLetter(record: SQSRecord, reason: { status?: number; error: string }, options: DeliveryOptions): Promise<Fate> {
  try {
    await options.deadLetters.send(record, reason);
    options.logger.log('WARN', 'event rejected by the partner: moved to the dead-letter queue', { messageId: record.messageId, ...reason });
    return 'done';
  } catch (err) {
    options.logger.log('ERROR', 'could not move a rejected event to the dead-letter queue', { messageId: record.messageId, error: (err as Error).message });
    return 'retry';
  }
}
