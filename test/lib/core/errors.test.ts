import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import fc from 'fast-check';
import { BufferedEventConsumer, CircuitBreaker, FifoFanout, PatternErrors, SecureQueue } from '../../../lib';
import { PatternValidationError, PROPERTY_NAMES_NOTE } from '../../../lib/core/errors';
import { INLINE_CODE, newStack } from '../../support/cdk';

/** Builds something and returns what it threw. */
function thrown(build: () => unknown): unknown {
  try {
    build();
  } catch (err) {
    return err;
  }
  throw new Error('expected the construct to throw');
}

test('a construct with three mistakes reports all three in one error, each with its id, path and fix', () => {
  const err = thrown(() => new SecureQueue(newStack(), 'Q', {
    maxReceiveCount: 1,
    queueName: 'orders queue',
    highThroughputFifo: true,
  }));
  expect(PatternErrors.isPatternValidationError(err)).toBe(true);
  const problems = PatternErrors.problemsOf(err);
  expect(problems.map((p) => p.id)).toEqual(['SecureQueue.MaxReceiveCount', 'SecureQueue.Name', 'SecureQueue.FifoOnlyOption']);
  for (const p of problems) {
    expect(p.path).toBe('Test/Q');
    expect(p.fix.length).toBeGreaterThan(0);
  }
  expect((err as Error).message).toMatch(/^3 configuration problems:\n {2}- \[Test\/Q\] maxReceiveCount 1 is not allowed\. Fix: .*\(SecureQueue\.MaxReceiveCount\)/);
});

test('problems across a pattern\'s props, consumer options and queue options are collected together', () => {
  const stack = newStack();
  const err = thrown(() => new BufferedEventConsumer(stack, 'Orders', {
    eventPattern: {},
    consumer: lambda.Function.fromFunctionName(stack, 'F', 'f'),
    batchSize: 0,
    retryAttempts: 200,
  }));
  expect(PatternErrors.problemsOf(err).map((p) => p.id)).toEqual([
    'BufferedEventConsumer.EmptyEventPattern', 'BufferedEventConsumer.RetryAttempts', 'Consumer.BatchSize',
  ]);
});

test('the README\'s FIFO batch-size example: one problem, and following its fix synthesizes', () => {
  const build = (batchSize: number) => () => new BufferedEventConsumer(newStack('App'), 'Orders', {
    eventPattern: { source: ['orders'] },
    fifo: true,
    messageGroupIdPath: '$.detail.orderId',
    consumerProps: { code: INLINE_CODE, handler: 'index.handler' },
    batchSize,
  });
  const err = thrown(build(11)) as Error;
  expect(err.message).toBe('[App/Orders] batchSize 11 is outside 1..10 for a FIFO queue. Fix: use a batch size from 1 to 10. (Consumer.BatchSize)\n' +
    PROPERTY_NAMES_NOTE);
  expect(build(10)).not.toThrow();
});

test('a single problem reads as one line with its id, then how property names read in other languages', () => {
  const stack = newStack();
  const err = thrown(() => new FifoFanout(stack, 'Jobs', { topicName: 'jobs' }));
  expect(PatternErrors.problemsOf(err).map((p) => p.id)).toEqual(['FifoFanout.TopicNameFifoSuffix']);
  expect((err as Error).message).toBe(
    '[Test/Jobs] FIFO topic name "jobs" does not end in .fifo. Fix: rename it to "jobs.fifo". (FifoFanout.TopicNameFifoSuffix)\n' +
      PROPERTY_NAMES_NOTE,
  );
  expect(PROPERTY_NAMES_NOTE).toMatch(/TypeScript \(camelCase.*Python uses snake_case/);
});

test('settings and health checks of a breaker are reported together', () => {
  const err = thrown(() => new CircuitBreaker(newStack(), 'B', {
    failureThreshold: 0,
    openTimeout: Duration.millis(10),
    healthChecks: [{ url: 'ftp://x', circuitId: 'a b' }],
  }));
  expect(PatternErrors.problemsOf(err).map((p) => p.id)).toEqual([
    'CircuitBreaker.CountNotPositive', 'CircuitBreaker.OpenTimeoutTooShort', 'CircuitBreaker.HealthCheckUrl', 'CircuitBreaker.CircuitId',
  ]);
});

test('anything else is not a pattern validation error and has no problems', () => {
  expect(PatternErrors.isPatternValidationError(new Error('x'))).toBe(false);
  expect(PatternErrors.isPatternValidationError(undefined)).toBe(false);
  expect(PatternErrors.problemsOf('nope')).toEqual([]);
});

test('a function given to two constructs is claimed once (registry shared through the construct, not the module)', () => {
  const stack = newStack();
  const fn = new lambda.Function(stack, 'Fn', { code: INLINE_CODE, handler: 'i.h', runtime: lambda.Runtime.NODEJS_22_X, timeout: Duration.seconds(30) });
  const first = new CircuitBreaker(stack, 'A');
  const second = new CircuitBreaker(stack, 'B');
  first.protect(fn, { circuitIds: ['x'] });
  const err = thrown(() => second.protect(fn, { circuitIds: ['y'] }));
  expect(PatternErrors.problemsOf(err).map((p) => p.id)).toEqual(['CircuitBreaker.AlreadyProtected']);
});

describe('problemsInMessage: the problems as Python, Java, .NET and Go read them, from the message alone', () => {
  test('gives back every problem of a real error, one or several', () => {
    const several = thrown(() => new SecureQueue(newStack(), 'Q', { maxReceiveCount: 1, queueName: 'orders queue', highThroughputFifo: true }));
    const one = thrown(() => new FifoFanout(newStack(), 'Jobs', { topicName: 'jobs' }));
    for (const err of [several, one]) {
      expect(PatternErrors.problemsInMessage((err as Error).message)).toEqual(PatternErrors.problemsOf(err));
    }
    expect(PatternErrors.problemsInMessage((several as Error).message)).toHaveLength(3);
  });

  test('ignores what a language puts around the message', () => {
    const err = thrown(() => new FifoFanout(newStack(), 'Jobs', { topicName: 'jobs' })) as Error;
    const withPrefix = `software.amazon.jsii.JsiiError: ${err.message}\n    at software.amazon.jsii.JsiiRuntime.processErrorResponse(JsiiRuntime.java:1)`;
    expect(PatternErrors.problemsInMessage(withPrefix).map((p) => p.id)).toEqual(['FifoFanout.TopicNameFifoSuffix']);
  });

  test.each([
    ['one problem', () => new FifoFanout(newStack(), 'Jobs', { topicName: 'jobs' })],
    ['several problems', () => new SecureQueue(newStack(), 'Q', { maxReceiveCount: 1, queueName: 'orders queue' })],
  ])('lists each problem once when Java appends the JavaScript stack to the message (%s)', (_name, build) => {
    const err = thrown(build) as Error;
    // As Java's JsiiError reads: the message, then the JavaScript stack, which starts with `<name>: <message>`.
    expect(err.stack!.startsWith(`PatternValidationError: ${err.message}`)).toBe(true);
    const javaMessage = `${err.message}\n${err.stack}`;
    expect(PatternErrors.problemsInMessage(javaMessage)).toEqual(PatternErrors.problemsOf(err));
  });

  test('a problem or fix written over several lines still reads back as itself, on one line', () => {
    const err = new PatternValidationError([{ id: 'X.Y', path: 'A/B', problem: 'first line\n  second line', fix: 'do\nthis' }]);
    expect(PatternErrors.problemsInMessage(err.message)).toEqual([{ id: 'X.Y', path: 'A/B', problem: 'first line second line', fix: 'do this' }]);
  });

  test('any problem whose text avoids the separators reads back exactly', () => {
    const text = fc.string({ minLength: 1 }).filter((t) => !/[\s\S]*(\n|\. Fix: |\] )/.test(t) && t.trim() === t && !t.endsWith('.'));
    const problem = fc.record({
      id: fc.constantFrom('SecureQueue.Name', 'Consumer.BatchSize', 'X.Y'),
      path: fc.array(fc.stringMatching(/^[A-Za-z0-9 ._-]{1,12}$/), { minLength: 1, maxLength: 4 }).map((parts) => parts.join('/')),
      problem: text,
      fix: text,
    });
    fc.assert(fc.property(fc.array(problem, { minLength: 1, maxLength: 4 }), (problems) => {
      expect(PatternErrors.problemsInMessage(new PatternValidationError(problems).message)).toEqual(problems);
    }));
  });

  test('any other message lists no problems', () => {
    expect(PatternErrors.problemsInMessage('')).toEqual([]);
    expect(PatternErrors.problemsInMessage('Error: something else entirely')).toEqual([]);
    expect(PatternErrors.problemsInMessage('cdk-nag: 1 unacknowledged finding(s):\nAwsSolutions-SQS3  Stack/Q  no DLQ')).toEqual([]);
  });
});
