export {
  PatternAlarmOptions, PatternErrors, PatternFunction, PatternFunctionOptions, PatternFunctionProps, PatternNodejsFunction,
  PatternNodejsFunctionProps, QueueAlarmOptions, QueueConsumerOptions, SecureQueue, SecureQueueProps, ValidationProblem,
} from './core';
export { FifoFanout, FifoFanoutProps, FifoSubscriber, FifoSubscriberOptions, FifoSubscriberProps } from './fifo-fanout';
export { BufferedEventConsumer, BufferedEventConsumerProps, BufferedEventInput, IdempotencyTable, IdempotencyTableProps } from './buffered-consumer';
export {
  CircuitBreaker, CircuitBreakerProps, CircuitBreakerSettings, CircuitProtection, FailureCounting, HealthCheck, HealthCheckerOptions, ProtectOptions,
  StoreFailureMode,
} from './circuit-breaker';
export {
  OutboxCaptureOptions, OutboxPipeLogLevel, OutboxStartingPosition, OutboxTableAttributes, OutboxTarget, TransactionalOutbox,
  TransactionalOutboxProps,
} from './transactional-outbox';
export {
  BucketModelSourceOptions, CustomInferenceHandlerProps, EfsModelInference, EfsModelInferenceProps, InferenceHandler, ModelSource,
  OnnxHandlerOptions,
} from './efs-inference';
export { EgressDeliveryPath, EgressHttpMethod, RateLimitedEgress, RateLimitedEgressProps } from './rate-limited-egress';
export { ScopedNagValidation, ServerlessPatternsChecks } from './nag';
// The pack's rules, one namespace per service as in cdk-nag (`rules.sqs.SQSMaxReceiveCountAboveOne`).
export * as rules from './nag/rules';
// The example stacks are a submodule (`examples.QuotesStack`): deployable from the installed package, off the main API.
export * as examples from './examples';
