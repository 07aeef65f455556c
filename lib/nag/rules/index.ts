export {
  DynamoDBCircuitBreakerTable,
  DynamoDBIdempotencyTable,
} from './dynamodb';
export { EventBridgePutEventsScoped, EventBridgeRuleTargetDeadLetter, EventBridgeRuleTargetLimit } from './eventbridge';
export {
  LambdaAsyncFailureHandling,
  LambdaEfsMount,
  LambdaEventInvokeConfigBounds,
  LambdaExtraCaCerts,
  LambdaLayerLimit,
  LambdaLogLevelNeedsJson,
  LambdaLogRetention,
  LambdaRecursiveTrigger,
  LambdaSQSMaximumConcurrency,
  LambdaSQSPartialBatchResponse,
  LambdaStreamFailureHandling,
} from './lambda';
export { PipeBatchWithinTargetLimit, PipeDynamoDBStreamRemoveFiltered, PipeStreamFailureHandling } from './pipes';
export { SNSSubscriptionRedrive } from './sns';
export {
  SQSConsumerAgeAlarm,
  SQSDeadLetterQueueAlarm,
  SQSDeadLetterQueueOutlivesSource,
  SQSDeadLetterQueuePolicyScopedToSource,
  SQSFifoConsistency,
  SQSMaxReceiveCountAboveOne,
  SQSServicePrincipalScoped,
  SQSVisibilityTimeoutCoversConsumer,
} from './sqs';
