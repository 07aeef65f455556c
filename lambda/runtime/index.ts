/**
 * Every runtime helper at once. Each also has an entry point of its own (`cdk-serverless-patterns/runtime/<name>`)
 * that needs only its own packages; import those in functions that use one helper.
 */
export {
  DEFAULT_MAX_MESSAGE_BYTES, EVENT_TYPE_ATTRIBUTE, FIFO_ID_MAX_LENGTH, FifoPublisher, FifoPublishValidationError,
  MAX_CONFIGURABLE_MESSAGE_BYTES, MAX_MESSAGE_ATTRIBUTES, MISSING_FROM_RESPONSE, PUBLISH_BATCH_MAX_ENTRIES,
  SKIPPED_AFTER_GROUP_FAILURE,
} from './fifo-publisher';
export type {
  FailedFifoMessage, FifoMessage, FifoMessageAttributeValue, FifoPublishBatchResult, FifoPublisherProps, FifoPublishResult,
  PublishedFifoMessage,
} from './fifo-publisher';
export { fifoBatchHandler, FifoRecordParseError, NotAFifoRecordError } from './fifo-consumer';
export type { FifoBatchHandler, FifoBatchHandlerOptions, FifoBatchLogger, FifoRecord, FifoRecordHandler } from './fifo-consumer';
export {
  BUFFERED_CONSUMER_ENV, BufferedEventInput, DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS, defaultIdempotencyKey, idempotentBatchHandler,
  MalformedMessageError, MissingIdempotencyKeyError, parseEventRecord,
} from './idempotent-consumer';
export type {
  EventRecord, EventRecordHandler, IdempotencyKeyFunction, IdempotencyKeySource, IdempotentBatchHandlerOptions,
  IdempotentConsumerLogger, SqsBatchResponseHandler,
} from './idempotent-consumer';
export {
  CallerError, CallTimeoutError, CIRCUIT_BREAKER_ENV, CIRCUIT_ID_DIMENSION, CircuitBreaker, CircuitBreakerConfigError,
  CircuitMetric, CircuitOpenError, CircuitRejectionReason, CircuitState, DEFAULT_METRICS_NAMESPACE, defaultIsFailure,
  FailureCounting, jsonLineLogger, resolveCircuitBreakerConfig, stdoutMetricSink, StoreFailureMode, systemClock,
} from './circuit-breaker';
export type {
  CallOptions, CircuitBreakerConfig, CircuitBreakerLogger, CircuitBreakerOptions, CircuitBreakerSettings, CircuitRecord, Clock,
  GuardedCallContext, GuardedFunction, LogLevel, MetricSink,
} from './circuit-breaker';
export {
  attributeValueBytes, EVENT_ID_PATTERN, EventIdGenerator, eventEntryBytes, eventIdTime, isCapturedItem, itemBytes,
  MalformedCapturedItemError, MalformedOutboxRowError, NotAnOutboxEventError, OUTBOX_ENV, OutboxConfigError, outboxDeliveryFrom,
  outboxEventFrom, OutboxTarget, OutboxTransactionRejectedError, OutboxWriter, resolveOutboxWriterConfig,
} from './outbox';
export type { CapturedItemDelivery, CapturedItemMetadata, CapturedStreamRecord, PublishedCapturedItem } from './outbox';
export type {
  EventEntryParts, MillisClock, OutboxDelivery, OutboxEvent, OutboxEventMetadata, OutboxStreamRecord, OutboxTableShape, OutboxTransactionRequest,
  OutboxWriteResult, OutboxWriterConfig, OutboxWriterOptions, OutboxWriterSettings, PreparedOutboxTransaction,
  PublishedOutboxEvent, TableKeys,
} from './outbox';
