/**
 * A replaced outbox pipe starting at TRIM_HORIZON publishes the stream's last 24 hours again: a named pipe (which
 * blocks the replacement) warns, and a consumer in the same app that forgets processed events sooner gets a warning.
 */
import { Annotations as CdkAnnotations, Duration, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as events from 'aws-cdk-lib/aws-events';
import { BufferedEventConsumer, IdempotencyTable, OutboxStartingPosition, TransactionalOutbox, TransactionalOutboxProps } from '../../../lib';
import { INLINE_CODE, newStack } from '../../support/cdk';

const SOURCE = 'com.example.orders';
const consumerProps = { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(10) };

interface Setup {
  readonly outbox?: Partial<TransactionalOutboxProps>;
  readonly expiry?: Duration;
  readonly sources?: string[];
  /** The consumer listens on a bus of its own instead of the outbox's. */
  readonly otherBus?: boolean;
  readonly acknowledge?: boolean;
}

/** The warnings of a stack with an outbox and, on its bus (or another), a consumer with an idempotency table. */
function warnings(setup: Setup): string[] {
  const stack = newStack();
  const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE, eventBusProps: {}, ...setup.outbox });
  new BufferedEventConsumer(stack, 'Tracker', {
    eventBus: setup.otherBus ? new events.EventBus(stack, 'OtherBus') : outbox.eventBus,
    eventPattern: { source: setup.sources ?? [SOURCE] },
    consumerProps,
    idempotencyTable: new IdempotencyTable(stack, 'Idempotency', { expiry: setup.expiry }),
  });
  if (setup.acknowledge) CdkAnnotations.of(outbox).acknowledgeWarning('cdk-serverless-patterns:DuplicateWindowTooShort', 'consumer tolerates duplicates');
  return windowWarnings(stack);
}

function windowWarnings(stack: Stack): string[] {
  return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('DuplicateWindowTooShort')).map((w) => String(w.entry.data));
}

describe('a consumer whose idempotency window is shorter than the republish window', () => {
  test('is warned about at synth, naming the consumer and the fix', () => {
    expect(warnings({ expiry: Duration.hours(23) })).toEqual([expect.stringMatching(
      /consumer Test\/Tracker forgets a processed event after 82800 s, but a replaced outbox pipe starting at TRIM_HORIZON publishes events again up to 86400 s.*expiry of at least 86400 s/)]);
  });

  test('is not warned about at 24 hours (the default) or more', () => {
    expect(warnings({})).toEqual([]);
    expect(warnings({ expiry: Duration.hours(24) })).toEqual([]);
    expect(warnings({ expiry: Duration.days(2) })).toEqual([]);
  });

  test('is not concerned when it does not receive the outbox events, or the pipe starts at LATEST', () => {
    expect(warnings({ expiry: Duration.hours(1), sources: ['com.example.other'] })).toEqual([]);
    expect(warnings({ expiry: Duration.hours(1), otherBus: true })).toEqual([]);
    expect(warnings({ expiry: Duration.hours(1), outbox: { startingPosition: OutboxStartingPosition.LATEST } })).toHaveLength(0);
  });

  test('a consumer matching every source is concerned', () => {
    expect(warnings({ expiry: Duration.hours(1), sources: [SOURCE, 'com.example.other'] })).toHaveLength(1);
  });

  test('the warning can be acknowledged on the outbox', () => {
    expect(warnings({ expiry: Duration.hours(1), acknowledge: true })).toEqual([]);
  });

  test('the default bus, referenced separately by each construct, is one bus', () => {
    const stack = newStack();
    new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE });
    new BufferedEventConsumer(stack, 'Tracker', {
      eventPattern: { source: [SOURCE] },
      consumerProps,
      idempotencyTable: new IdempotencyTable(stack, 'Idempotency', { expiry: Duration.hours(2) }),
    });
    expect(windowWarnings(stack)).toHaveLength(1);
  });

  test('the consumer gets the table expiry as the runtime default window', () => {
    const stack = newStack();
    new BufferedEventConsumer(stack, 'Tracker', {
      eventPattern: { source: [SOURCE] },
      consumerProps,
      idempotencyTable: new IdempotencyTable(stack, 'Idempotency', { expiry: Duration.hours(30) }),
    });
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ IDEMPOTENCY_EXPIRY_SECONDS: '108000' }) },
    });
  });
});

describe('a named pipe', () => {
  const pipeWarnings = (props: Partial<TransactionalOutboxProps>, acknowledge = false) => {
    const stack = newStack();
    const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE, ...props });
    if (acknowledge) CdkAnnotations.of(outbox).acknowledgeWarning('cdk-serverless-patterns:NamedPipe', 'consumers keep 48 h of event ids');
    return Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('NamedPipe')).map((w) => String(w.entry.data));
  };

  test('warns that it blocks replacement and that consumers must deduplicate over 24 hours', () => {
    expect(pipeWarnings({ pipeName: 'orders-outbox' })).toEqual([expect.stringMatching(
      /pipeName "orders-outbox" blocks replacement.*publishes the stream's last 24 hours again: consumers must deduplicate by event id over at least 24 hours/)]);
    expect(pipeWarnings({})).toEqual([]);
  });

  test('the warning can be acknowledged', () => {
    expect(pipeWarnings({ pipeName: 'orders-outbox' }, true)).toEqual([]);
  });
});
