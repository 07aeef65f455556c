import { join } from 'node:path';
import { Stack } from 'aws-cdk-lib';
import {
  BufferedEventConsumer, CircuitBreaker, EfsModelInference, FifoFanout, IdempotencyTable, ModelSource, OutboxTarget, PatternFunction,
  PatternNodejsFunction, SecureQueue, TransactionalOutbox,
} from '../../lib';
import { INLINE_CODE, newStack } from '../support/cdk';

const functionProps = { code: INLINE_CODE, handler: 'index.handler' };
const ORDER_PLACED = { source: ['com.example.orders'], detailType: ['OrderPlaced'] };

/** One stack per construct, each with only the props the construct requires: what a user gets by default. */
export const CONSTRUCT_DEFAULT_STACKS: Record<string, () => Stack> = {
  FifoFanoutWithConsumer: () => {
    const stack = newStack('FifoFanoutWithConsumer');
    new FifoFanout(stack, 'Fanout').addSubscriber('Subscriber', { consumer: new PatternFunction(stack, 'Consumer', functionProps) });
    return stack;
  },
  BufferedEventConsumerStandard: () => {
    const stack = newStack('BufferedEventConsumerStandard');
    new BufferedEventConsumer(stack, 'Orders', { eventPattern: ORDER_PLACED, consumerProps: functionProps });
    return stack;
  },
  BufferedEventConsumerFifo: () => {
    const stack = newStack('BufferedEventConsumerFifo');
    new BufferedEventConsumer(stack, 'Orders', {
      eventPattern: ORDER_PLACED, consumerProps: functionProps, fifo: true, messageGroupIdPath: '$.detail.orderId',
    });
    return stack;
  },
  CircuitBreakerProtectAndHealthChecks: () => {
    const stack = newStack('CircuitBreakerProtectAndHealthChecks');
    const breaker = new CircuitBreaker(stack, 'Breaker', { healthChecks: [{ url: 'https://api.example.com/health', circuitId: 'api' }] });
    breaker.protect(new PatternFunction(stack, 'Caller', functionProps), { circuitIds: ['api'] });
    return stack;
  },
  IdempotencyTable: () => {
    const stack = newStack('IdempotencyTable');
    new IdempotencyTable(stack, 'Idempotency');
    return stack;
  },
  SecureQueue: () => {
    const stack = newStack('SecureQueue');
    new SecureQueue(stack, 'Queue');
    return stack;
  },
  PatternFunction: () => {
    const stack = newStack('PatternFunction');
    new PatternFunction(stack, 'Function', functionProps);
    return stack;
  },
  PatternNodejsFunction: () => {
    const stack = newStack('PatternNodejsFunction');
    new PatternNodejsFunction(stack, 'Function', { entry: join(__dirname, 'nodejs-handler.ts') });
    return stack;
  },
  TransactionalOutboxToBus: () => {
    const stack = newStack('TransactionalOutboxToBus');
    new TransactionalOutbox(stack, 'Outbox', { eventSource: 'com.example.orders' });
    return stack;
  },
  TransactionalOutboxToFifoQueue: () => {
    const stack = newStack('TransactionalOutboxToFifoQueue');
    new TransactionalOutbox(stack, 'Outbox', { eventSource: 'com.example.orders', target: OutboxTarget.FIFO_QUEUE });
    return stack;
  },
  EfsModelInferenceOnnx: () => {
    const stack = newStack('EfsModelInferenceOnnx');
    new EfsModelInference(stack, 'Inference', { model: ModelSource.fromDirectory(join(__dirname, '..', '..', 'lib', 'examples', 'inference-model')) });
    return stack;
  },
  PatternFunctionAsync: () => {
    const stack = newStack('PatternFunctionAsync');
    new PatternFunction(stack, 'Function', { ...functionProps, invokedAsynchronously: true });
    return stack;
  },
};
