/**
 * Every construct's default output, and every example stack, passes cdk-nag's AwsSolutions and ServerlessChecks packs
 * with no unacknowledged finding: a user running either pack on an app built from these constructs sees nothing
 * caused by our resources. Each acknowledgement sits on the exact resource it concerns (lib/core/private/
 * nag-acknowledgements.ts), so a finding on anything else stays visible.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks, NagPack, ServerlessChecks } from 'cdk-nag';
import {
  BufferedEventConsumer, CircuitBreaker, FifoFanout, IdempotencyTable, PatternFunction, SecureQueue,
} from '../../../lib';
import { formatFindings } from '../../../lib/nag/private/format';
import { INLINE_CODE, newStack } from '../../support/cdk';
import { EXAMPLE_STACKS } from '../../support/examples';

const fnProps = { code: INLINE_CODE, handler: 'index.handler' };

const CONSTRUCT_DEFAULTS: Record<string, () => Stack> = {
  'FifoFanout with a consumer': () => {
    const stack = newStack();
    new FifoFanout(stack, 'Events').addSubscriber('Audit', { consumer: new PatternFunction(stack, 'Consumer', fnProps) });
    return stack;
  },
  'BufferedEventConsumer (standard)': () => {
    const stack = newStack();
    new BufferedEventConsumer(stack, 'Orders', {
      eventPattern: { source: ['orders'] }, consumerProps: fnProps, idempotencyTable: new IdempotencyTable(stack, 'Idem'),
    });
    return stack;
  },
  'BufferedEventConsumer (FIFO)': () => {
    const stack = newStack();
    new BufferedEventConsumer(stack, 'Orders', { eventPattern: { source: ['orders'] }, consumerProps: fnProps, fifo: true, messageGroupIdPath: '$.detail.id' });
    return stack;
  },
  'CircuitBreaker with a protected function and health checks': () => {
    const stack = newStack();
    const breaker = new CircuitBreaker(stack, 'Breaker', { healthChecks: [{ url: 'https://example.com/health', circuitId: 'api' }] });
    breaker.protect(new PatternFunction(stack, 'Caller', { ...fnProps, timeout: Duration.seconds(15) }), { circuitIds: ['api'] });
    return stack;
  },
  'SecureQueue': () => {
    const stack = newStack();
    new SecureQueue(stack, 'Queue');
    new SecureQueue(stack, 'Fifo', { fifo: true });
    return stack;
  },
  'PatternFunction (asynchronous)': () => {
    const stack = newStack();
    new PatternFunction(stack, 'Fn', { ...fnProps, invokedAsynchronously: true });
    return stack;
  },
};

function findings(stack: Stack, pack: NagPack): string {
  return formatFindings(pack.validateScope(stack).violations);
}

describe.each([
  ['AwsSolutions', () => new AwsSolutionsChecks()],
  ['ServerlessChecks', () => new ServerlessChecks()],
])('%s', (_name, pack) => {
  test.each(Object.keys(CONSTRUCT_DEFAULTS))('%s: no unacknowledged finding', (name) => {
    expect(findings(CONSTRUCT_DEFAULTS[name](), pack())).toBe('');
  });
  test.each(Object.keys(EXAMPLE_STACKS))('example %s: no unacknowledged finding', (name) => {
    expect(findings(EXAMPLE_STACKS[name](), pack())).toBe('');
  });
});

test('the acknowledgements are narrow: a user function without a DLQ beside ours is still reported', () => {
  const stack = newStack();
  new PatternFunction(stack, 'Ours', fnProps);
  const theirs = new lambda.Function(stack, 'Theirs', { ...fnProps, runtime: lambda.Runtime.NODEJS_24_X });
  expect(theirs).toBeDefined();
  expect(findings(stack, new ServerlessChecks())).toMatch(/Serverless-LambdaDLQ {2}Test\/Theirs\/Resource/);
  expect(findings(stack, new ServerlessChecks())).not.toMatch(/Test\/Ours\//);
});
