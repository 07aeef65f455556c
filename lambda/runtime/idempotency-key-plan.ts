/**
 * Internal to the consumer runtime (not re-exported): turns a key source into what Powertools idempotency needs.
 */
import type { EventRecord } from './event-record';
import { defaultIdempotencyKey, IdempotencyKeyFunction, IdempotencyKeySource, MissingIdempotencyKeyError } from './idempotency-key';

/**
 * What Powertools hashes for one record, and the JMESPath it applies first. Powertools hashes the value selected by
 * `eventKeyJmesPath`, so a computed key is wrapped in an object and selected back out.
 */
export interface KeyPlan {
  /** The expression Powertools applies to the payload before hashing it. */
  readonly eventKeyJmesPath: string;
  /** The payload Powertools receives for a record; throws when a key function gives no key. */
  payloadFor(record: EventRecord<unknown>): Record<string, unknown>;
}

const COMPUTED_KEY_FIELD = 'idempotencyKey';

/** Builds the plan for a key source (default: {@link defaultIdempotencyKey}). */
export function keyPlanFor<TDetail>(source: IdempotencyKeySource<TDetail> | undefined): KeyPlan {
  if (typeof source === 'string') {
    if (source.trim() === '') throw new Error('idempotencyKey: the JMESPath expression is empty');
    return {
      eventKeyJmesPath: source,
      payloadFor: (record) => (record.event ?? record.detail) as Record<string, unknown>,
    };
  }
  const keyOf = (source ?? defaultIdempotencyKey) as IdempotencyKeyFunction<unknown>;
  return {
    eventKeyJmesPath: COMPUTED_KEY_FIELD,
    payloadFor: (record) => {
      const key = keyOf(record);
      if (typeof key !== 'string' || key === '') throw new MissingIdempotencyKeyError(record.messageId);
      return { [COMPUTED_KEY_FIELD]: key };
    },
  };
}
