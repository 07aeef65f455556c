/**
 * A fleet-wide send schedule in one DynamoDB item: every execution environment that delivers to the partner reserves
 * send slots from the same item with conditional writes, so the slots handed out across the fleet are spaced at
 * least `spacingUs` apart, whatever the number of environments.
 *
 * The guarantee, and what it rests on:
 * - Slots are spaced `spacingUs = ceil((1 s + startTolerance) / limit)` apart. A caller starts its request at the
 *   slot or at most `startTolerance` later; a caller that would start later gives the slot up and reserves a new one.
 *   So the requests started in any 1-second interval come from slots in an interval of 1 s + startTolerance, which
 *   holds at most `limit` slots: no 1-second interval (sliding, not only calendar seconds) sees more than `limit`
 *   request starts, fleet-wide. The price is a schedule `1 / (1 + startTolerance)` of the limit (95 % at 50 ms).
 * - It holds on the partner's clock when request latencies differ by at most `startTolerance` minus the lateness
 *   actually used, and when the environments' clocks agree (Lambda hosts keep time with the Amazon Time Sync
 *   Service); neither is something this code can check.
 * - One reservation is one conditional UpdateItem on one item; DynamoDB allows 1,000 writes per second per
 *   partition, and environments reserve a batch of slots per write, so the item is not the bottleneck below
 *   several thousand requests per second.
 * - Slots that are reserved and not used (crash, breaker refusal) are lost, never reused: errors only lower the rate.
 */
import {
  ConditionalCheckFailedException, DynamoDBClient, UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { LIMITER_TABLE_SHAPE, RATE_LIMITED_EGRESS_DEFAULTS } from '../../../lib/rate-limited-egress/contract';

/** Time in epoch milliseconds, and a way to wait; tests pass the real ones. */
export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** The system clock. */
export const systemLimiterClock: LimiterClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/** Settings of a {@link FleetRateLimiter}. */
export interface FleetRateLimiterOptions {
  readonly client: DynamoDBClient;
  readonly tableName: string;
  /** The limiter item's key, one per partner. */
  readonly limiterId: string;
  /** Requests per second, fleet-wide. */
  readonly limitPerSecond: number;
  /** How late a request may start after its slot, ms. @default 50 */
  readonly startToleranceMs?: number;
  /**
   * Slots are reserved at least this far ahead of now, ms, so the reservation write has returned before the slot
   * begins. @default 25
   */
  readonly leadMs?: number;
  /** Lifetime of the item after its last write, seconds (DynamoDB TTL). @default 86400 */
  readonly ttlSeconds?: number;
  readonly clock?: LimiterClock;
}

/** Reserved send times, epoch milliseconds, ascending. */
export interface Reservation {
  readonly slots: number[];
}

/** Thrown when a reservation cannot start before the caller's deadline. */
export class SlotDeadlineError extends Error {
  constructor(public readonly firstFreeSlot: number, public readonly deadline: number) {
    super(`the next free send slot (${new Date(firstFreeSlot).toISOString()}) is after the deadline ${new Date(deadline).toISOString()}`);
    this.name = 'SlotDeadlineError';
  }
}

const US_PER_MS = 1000;

/** Reserves send slots from the shared schedule and waits for them. */
export class FleetRateLimiter {
  /** Spacing between two slots, microseconds. */
  public readonly spacingUs: number;
  /** How late a request may start, ms. */
  public readonly startToleranceMs: number;
  private readonly leadMs: number;
  private readonly ttlSeconds: number;
  private readonly clock: LimiterClock;
  /** The slot pointer as this environment last saw it: the expected value of the next conditional write. */
  private seenNextUs: number | undefined;

  constructor(private readonly options: FleetRateLimiterOptions) {
    if (!Number.isInteger(options.limitPerSecond) || options.limitPerSecond < 1) {
      throw new Error(`limitPerSecond must be a whole number ≥ 1, got ${options.limitPerSecond}`);
    }
    this.startToleranceMs = options.startToleranceMs ?? RATE_LIMITED_EGRESS_DEFAULTS.startToleranceMs;
    this.spacingUs = Math.ceil(((1000 + this.startToleranceMs) * US_PER_MS) / options.limitPerSecond);
    this.leadMs = options.leadMs ?? 25;
    this.ttlSeconds = options.ttlSeconds ?? 86_400;
    this.clock = options.clock ?? systemLimiterClock;
  }

  /**
   * Reserves `count` consecutive slots. Waits (without holding slots) while the first free slot is more than
   * `maxWaitMs` away; throws {@link SlotDeadlineError} if it cannot get slots starting before `deadline`.
   */
  public async reserve(count: number, deadline: number, maxWaitMs = 1_000): Promise<Reservation> {
    for (;;) {
      const now = this.clock.now();
      const earliestUs = Math.ceil((now + this.leadMs) * US_PER_MS);
      const seen = this.seenNextUs;
      const startUs = Math.max(seen ?? 0, earliestUs);
      const startMs = startUs / US_PER_MS;
      if (startMs > deadline) throw new SlotDeadlineError(startMs, deadline);
      if (seen !== undefined && startMs - now > maxWaitMs) {
        // The schedule is booked far ahead: wait for it to come closer rather than hoard slots we may never use.
        await this.clock.sleep(Math.min(startMs - now - maxWaitMs, deadline - now));
        await this.refresh();
        continue;
      }
      const nextUs = startUs + count * this.spacingUs;
      const written = await this.advance(seen, nextUs, now);
      if (written) {
        return { slots: Array.from({ length: count }, (_, i) => (startUs + i * this.spacingUs) / US_PER_MS) };
      }
      // Someone reserved first: seenNextUs now holds what they wrote. Try again from there.
    }
  }

  /**
   * Waits for `slot`; true when the caller may start its request now, false when the slot was missed by more than
   * the start tolerance (the caller must not send, and reserves a new slot). Call it right before the request is
   * written: anything awaited between this and the request eats into the tolerance.
   */
  public async waitFor(slot: number): Promise<boolean> {
    const wait = slot - this.clock.now();
    if (wait > 0) await this.clock.sleep(wait);
    return this.clock.now() <= slot + this.startToleranceMs;
  }

  /**
   * Moves the whole fleet's schedule so no slot starts before `until` (a partner's Retry-After). Slots already
   * handed out before `until` are not recalled: at most one batch per environment is still sent early.
   */
  public async pauseUntil(until: number): Promise<void> {
    const untilUs = Math.ceil(until * US_PER_MS);
    for (let attempt = 0; attempt < 10; attempt++) {
      if ((this.seenNextUs ?? 0) >= untilUs) return;
      if (await this.advance(this.seenNextUs, untilUs, this.clock.now())) return;
    }
  }

  /** Reads the pointer without writing (an update that sets nothing new). */
  private async refresh(): Promise<void> {
    const out = await this.options.client.send(new UpdateItemCommand({
      TableName: this.options.tableName,
      Key: { [LIMITER_TABLE_SHAPE.partitionKey]: { S: this.options.limiterId } },
      UpdateExpression: 'SET #next = if_not_exists(#next, :zero)',
      ExpressionAttributeNames: { '#next': LIMITER_TABLE_SHAPE.nextSlotAttribute },
      ExpressionAttributeValues: { ':zero': { N: '0' } },
      ReturnValues: 'ALL_NEW',
    }));
    this.seenNextUs = Number(out.Attributes?.[LIMITER_TABLE_SHAPE.nextSlotAttribute]?.N ?? 0);
  }

  /** Conditional write of the pointer: wins only if the item still holds `seen` (or does not exist yet). */
  private async advance(seen: number | undefined, nextUs: number, now: number): Promise<boolean> {
    const names = { '#next': LIMITER_TABLE_SHAPE.nextSlotAttribute, '#exp': LIMITER_TABLE_SHAPE.timeToLiveAttribute };
    const expiration = Math.floor(now / 1000) + this.ttlSeconds;
    try {
      await this.options.client.send(new UpdateItemCommand({
        TableName: this.options.tableName,
        Key: { [LIMITER_TABLE_SHAPE.partitionKey]: { S: this.options.limiterId } },
        UpdateExpression: 'SET #next = :next, #exp = :exp',
        ConditionExpression: seen === undefined || seen === 0 ? 'attribute_not_exists(#next) OR #next = :zero' : '#next = :seen',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: {
          ':next': { N: String(nextUs) },
          ':exp': { N: String(expiration) },
          ...(seen === undefined || seen === 0 ? { ':zero': { N: '0' } } : { ':seen': { N: String(seen) } }),
        },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }));
      this.seenNextUs = nextUs;
      return true;
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException) && (err as Error).name !== 'ConditionalCheckFailedException') throw err;
      const current = (err as ConditionalCheckFailedException).Item?.[LIMITER_TABLE_SHAPE.nextSlotAttribute]?.N;
      if (current !== undefined) this.seenNextUs = Number(current);
      else await this.refresh();
      return false;
    }
  }
}
