import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { PatternFunction } from '../../../lib';
import { validateConsumerOptions } from '../../../lib/core/private/consumer-options';
import { Problems, validate } from '../../../lib/core/private/validation';
import { consumerTimeoutOf, consumerVisibilityTimeout, resolveVisibilityTimeout } from '../../../lib/core/private/visibility';
import { INLINE_CODE, newStack } from '../../support/cdk';

test('visibility timeout is 6 × function timeout + batching window', () => {
  expect(consumerVisibilityTimeout(Duration.seconds(30)).toSeconds()).toBe(180);
  expect(consumerVisibilityTimeout(Duration.seconds(30), Duration.seconds(20)).toSeconds()).toBe(200);
});

test('consumer timeout is read from owned functions and required for imported ones', () => {
  const stack = newStack();
  const owned = new PatternFunction(stack, 'Owned', { code: INLINE_CODE, handler: 'i.h', timeout: Duration.seconds(12) });
  expect(consumerTimeoutOf(new Problems(stack), owned)?.toSeconds()).toBe(12);
  const imported = lambda.Function.fromFunctionName(stack, 'Imported', 'someone-elses');
  expect(() => validate(stack, (p) => consumerTimeoutOf(p, imported))).toThrow(
    /timeout of imported function Test\/Imported cannot be read.*pass consumerTimeout.*\(Consumer\.ImportedTimeout\)/,
  );
  expect(consumerTimeoutOf(new Problems(stack), imported, Duration.seconds(40))?.toSeconds()).toBe(40);
});

test('an explicit visibility timeout below the requirement is rejected, above it is kept', () => {
  const stack = newStack();
  expect(() => validate(stack, (p) => resolveVisibilityTimeout(p, Duration.seconds(180), Duration.seconds(60)))).toThrow(
    /visibilityTimeout 1 minute is shorter than the 3 minutes the consumer needs.*at least 180 seconds/,
  );
  expect(resolveVisibilityTimeout(new Problems(stack), Duration.seconds(180), Duration.seconds(300)).toSeconds()).toBe(300);
  expect(resolveVisibilityTimeout(new Problems(stack), Duration.seconds(180), undefined).toSeconds()).toBe(180);
});

describe('consumer option limits', () => {
  const stack = newStack();
  test.each([
    [{ batchSize: 11 }, true, /batchSize 11 is outside 1\.\.10 for a FIFO queue/],
    [{ batchSize: 0 }, false, /batchSize 0 is outside 1\.\.10000/],
    [{ batchSize: 50 }, false, /batchSize 50 above 10 needs a batching window/],
    [{ maxBatchingWindow: Duration.seconds(5) }, true, /maxBatchingWindow is not supported for FIFO queues/],
    [{ maxBatchingWindow: Duration.minutes(6) }, false, /exceeds 5 minutes/],
    [{ maxConcurrency: 1 }, false, /maxConcurrency 1 is outside the SQS event source range 2\.\.1000/],
    [{ maxConcurrency: 1001 }, true, /maxConcurrency 1001/],
  ])('%j (fifo %s) is rejected', (options, fifo, message) => {
    expect(() => validate(stack, (p) => validateConsumerOptions(p, options, fifo))).toThrow(message);
  });

  test.each([
    [{ batchSize: 10, maxConcurrency: 2 }, true],
    [{ batchSize: 100, maxBatchingWindow: Duration.seconds(1) }, false],
    [{}, false],
  ])('%j (fifo %s) is accepted', (options, fifo) => {
    expect(() => validate(stack, (p) => validateConsumerOptions(p, options, fifo))).not.toThrow();
  });
});
