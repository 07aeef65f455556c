import { Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { IConstruct } from 'constructs';
import { SharedSlot } from './app-registry';
import { warnAtSynth } from './warnings';

/** A consumer on a bus that suppresses duplicates for a while (an idempotency store whose records expire). */
interface DeduplicatingConsumer {
  readonly consumer: IConstruct;
  readonly bus: events.IEventBus;
  /** The `source` values its rule matches; undefined when it matches any source. */
  readonly sources?: readonly string[];
  /** How long a processed event keeps suppressing its duplicates, seconds. */
  readonly windowSeconds: number;
}

const CONSUMERS = new SharedSlot<DeduplicatingConsumer[]>('deduplicating-consumers');

/** Records a consumer that deduplicates events from `bus` for `windowSeconds`, for the publishers' synth checks. */
export function registerDeduplicatingConsumer(consumer: DeduplicatingConsumer): void {
  const root = consumer.consumer.node.root;
  const list = CONSUMERS.get(root) ?? [];
  list.push(consumer);
  CONSUMERS.set(root, list);
}

/** What a publisher may deliver again, and how long after the first delivery. */
export interface RedeliveryWindow {
  readonly bus: events.IEventBus;
  /** The `source` of the events it publishes. */
  readonly source: string;
  /** How long after the first delivery a duplicate can arrive, seconds. */
  readonly seconds: number;
  /** Why duplicates can arrive that late, for the warning. */
  readonly reason: string;
}

/**
 * At synth, warns on `publisher` for every consumer in the app that receives its events and forgets them sooner
 * than a duplicate can arrive: such a duplicate is processed a second time. The check runs once the whole app is
 * built, so consumers defined after the publisher are seen too.
 */
export function checkDuplicateWindows(publisher: IConstruct, window: RedeliveryWindow): void {
  publisher.node.addValidation({
    validate: () => {
      for (const consumer of CONSUMERS.get(publisher.node.root) ?? []) {
        if (!sameBus(consumer.bus, window.bus)) continue;
        if (consumer.sources !== undefined && !consumer.sources.includes(window.source)) continue;
        if (consumer.windowSeconds >= window.seconds) continue;
        warnAtSynth(publisher, 'DuplicateWindowTooShort', `consumer ${consumer.consumer.node.path} forgets a processed event after ` +
          `${consumer.windowSeconds} s, but ${window.reason} up to ${window.seconds} s after its first delivery: it would process ` +
          `that duplicate again. Give its IdempotencyTable an expiry of at least ${window.seconds} s`);
      }
      return [];
    },
  });
}

/** One bus: the same construct, or two references that resolve to the same name in the same stack. */
function sameBus(a: events.IEventBus, b: events.IEventBus): boolean {
  if (a === b) return true;
  if (Stack.of(a) !== Stack.of(b)) return false;
  const name = (bus: events.IEventBus) => JSON.stringify(Stack.of(bus).resolve(bus.eventBusName));
  return !Token.isUnresolved(a.eventBusName) && !Token.isUnresolved(b.eventBusName) ? a.eventBusName === b.eventBusName : name(a) === name(b);
}
