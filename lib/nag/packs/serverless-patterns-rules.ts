import { NagMessageLevel } from 'cdk-nag';
import { NagRule } from '../private/rule';
import * as rules from '../rules';

/** One entry of the pack: the rule, its id (after `SPC-`), its level and what a finding says. */
export interface PackRule {
  readonly ruleSuffixOverride: string;
  readonly level: NagMessageLevel;
  /** What is wrong and what to change (the finding's message). */
  readonly info: string;
  /** Why, and the guidance it encodes (shown with `verbose: true`). */
  readonly explanation: string;
  readonly rule: NagRule;
}

const { ERROR, WARN } = NagMessageLevel;

/** Every ServerlessPatternsChecks rule, in catalogue order. */
export const SERVERLESS_PATTERNS_RULES: readonly PackRule[] = [
  {
    ruleSuffixOverride: 'SQS1',
    level: ERROR,
    rule: rules.sqs.SQSVisibilityTimeoutCoversConsumer,
    info: "The SQS queue this event source mapping reads has a visibility timeout shorter than 6 x the function's timeout + MaximumBatchingWindowInSeconds. Raise the queue's VisibilityTimeout to at least that, or lower the function timeout or batching window.",
    explanation:
      'Lambda can retry a throttled batch while its messages are still invisible; when the visibility timeout runs out first, the batch is delivered again and processed twice. Source: AWS Lambda developer guide "Using Lambda with Amazon SQS" (queue configuration); Compute Blog, Well-Architected SQS series, part 2.',
  },
  {
    ruleSuffixOverride: 'SQS2',
    level: ERROR,
    rule: rules.sqs.SQSMaxReceiveCountAboveOne,
    info: 'The queue dead-letters a message after a single receive (RedrivePolicy maxReceiveCount 1). Set maxReceiveCount to 2 or more (3 is a common default).',
    explanation:
      'One throttled, timed-out or partially failed batch would move healthy messages to the dead-letter queue. Source: Compute Blog, Well-Architected SQS series, part 2 (dead-letter queues); SQS developer guide "Using dead-letter queues".',
  },
  {
    ruleSuffixOverride: 'SQS3',
    level: WARN,
    rule: rules.sqs.SQSDeadLetterQueueOutlivesSource,
    info: "The queue's dead-letter queue does not keep messages longer than the queue itself. Give the dead-letter queue a longer MessageRetentionPeriod (e.g. 14 days) or shorten the queue's.",
    explanation:
      'A message moved from a standard queue keeps its original enqueue time, so with an equal or shorter retention it can expire as soon as it arrives. Source: Amazon SQS developer guide "Setting up dead-letter queue retention"; Well-Architected SQS part 2.',
  },
  {
    ruleSuffixOverride: 'SQS4',
    level: ERROR,
    rule: rules.sqs.SQSFifoConsistency,
    info: 'FIFO and standard resources are mixed where SQS or SNS require the same kind: a queue and its dead-letter queue, a standard topic and a FIFO queue subscriber, or a topic and its subscription dead-letter queue. Make both FIFO or both standard.',
    explanation:
      'SQS requires a FIFO queue\'s dead-letter queue to be FIFO (and a standard queue\'s to be standard); a standard SNS topic cannot deliver to a FIFO queue; a subscription\'s dead-letter queue must match its topic. A FIFO topic may deliver to a standard queue (best-effort ordering), so that is not reported. Source: Compute Blog "Building event-driven architectures with Amazon SNS FIFO"; SNS developer guide "Message delivery for FIFO topics".',
  },
  {
    ruleSuffixOverride: 'SQS5',
    level: WARN,
    rule: rules.sqs.SQSDeadLetterQueuePolicyScopedToSource,
    info: "The dead-letter queue's policy lets a service (or anyone) send messages without an aws:SourceArn naming the resource that dead-letters into it. Condition sqs:SendMessage on aws:SourceArn = that topic, rule or pipe.",
    explanation:
      'A dead-letter queue should only receive the failures of its own sources; an account-wide or wildcard grant lets any topic or rule fill it, hiding real failures. Source: Well-Architected SQS part 2 (least-privilege queue policies).',
  },
  {
    ruleSuffixOverride: 'SQS6',
    level: ERROR,
    rule: rules.sqs.SQSServicePrincipalScoped,
    info: 'The queue policy allows an AWS service principal without an aws:SourceArn or aws:SourceAccount condition. Add the condition naming the topic, rule or bucket (or at least your account).',
    explanation:
      'Without it, a resource in any account can make the service act on this queue (the confused-deputy problem). Source: IAM user guide "The confused deputy problem"; SNS/EventBridge guides on queue policies.',
  },
  {
    ruleSuffixOverride: 'SQS7',
    level: WARN,
    rule: rules.sqs.SQSConsumerAgeAlarm,
    info: 'The queue is consumed by a Lambda function but no CloudWatch alarm watches its ApproximateAgeOfOldestMessage. Add an alarm on that metric with a threshold below the retention period.',
    explanation:
      'The age of the oldest message is the first sign of a consumer that is falling behind or failing; without an alarm, messages are noticed only when they expire. Source: Compute Blog, Well-Architected SQS part 1 (operational excellence: monitor queue age).',
  },
  {
    ruleSuffixOverride: 'SQS8',
    level: WARN,
    rule: rules.sqs.SQSDeadLetterQueueAlarm,
    info: 'The queue receives failed messages or events (it is a dead-letter queue or on-failure destination) but no CloudWatch alarm fires on its first visible message. Add an alarm on ApproximateNumberOfMessagesVisible >= 1.',
    explanation:
      'Every message in a dead-letter queue is a business event that was not processed; without an alarm nobody looks until it expires. Source: Compute Blog "Implementing AWS Lambda error handling patterns"; SQS guide "Creating alarms for dead-letter queues".',
  },
  {
    ruleSuffixOverride: 'SQS9',
    level: WARN,
    rule: rules.sqs.SQSConsumedQueueDeadLetter,
    info: 'The queue is read by a Lambda event source mapping or an EventBridge pipe but has no dead-letter queue. Give it one (deadLetterQueue with maxReceiveCount 3 or more in aws-cdk-lib).',
    explanation:
      'A message the consumer keeps failing on is received again and again until the retention period ends, and then deleted without a trace; for SQS sources neither Lambda nor Pipes keep failed messages themselves. Source: SQS developer guide "Using dead-letter queues in Amazon SQS"; EventBridge guide "Amazon Simple Queue Service as a source".',
  },
  {
    ruleSuffixOverride: 'ESM1',
    level: WARN,
    rule: rules.lambda.LambdaSQSPartialBatchResponse,
    info: 'The SQS event source mapping does not report partial batch failures. Add FunctionResponseTypes: [ReportBatchItemFailures] (reportBatchItemFailures: true) and return the failed message ids from the handler.',
    explanation:
      'Without it one failing message returns the whole batch to the queue: the rest is processed again and can end in the dead-letter queue. Source: Compute Blog "Implementing AWS Lambda error handling patterns"; Powertools for AWS Lambda batch processing.',
  },
  {
    ruleSuffixOverride: 'ESM2',
    level: WARN,
    rule: rules.lambda.LambdaSQSMaximumConcurrency,
    info: 'The SQS event source mapping has no ScalingConfig.MaximumConcurrency (or one above the reserved concurrency) although its function is throttled by reserved concurrency or calls a rate-limited downstream. Set maxConcurrency at or below the reservation.',
    explanation:
      'Lambda throttles invocations beyond the reserved concurrency and the throttled messages return to the queue, counting towards maxReceiveCount; maximum concurrency stops the pollers instead. Source: Compute Blog "Introducing maximum concurrency of AWS Lambda functions when using Amazon SQS as an event source"; AWS knowledge center "Lambda SQS scaling".',
  },
  {
    ruleSuffixOverride: 'ESM3',
    level: WARN,
    rule: rules.lambda.LambdaStreamFailureHandling,
    info: 'The Kinesis or DynamoDB stream event source mapping can retry a failing record until it expires, blocking its shard, and then lose it. Enable BisectBatchOnFunctionError or ReportBatchItemFailures (PartialBatch), bound MaximumRetryAttempts or MaximumRecordAgeInSeconds (UnboundedRetries) and add an on-failure destination (OnFailureDestination).',
    explanation:
      'By default a failing record is retried until it expires (24 hours to a year), blocking its shard; then it is lost. Source: Compute Blog "Best practices for consuming Amazon Kinesis Data Streams using AWS Lambda"; Lambda guide on stream error handling.',
  },
  {
    ruleSuffixOverride: 'LMB1',
    level: ERROR,
    rule: rules.lambda.LambdaAsyncFailureHandling,
    info: 'The function is invoked asynchronously (SNS, EventBridge, S3 or another service) but keeps no failed events. Add an EventInvokeConfig with an OnFailure destination (onFailure in aws-cdk-lib) or a DeadLetterConfig.',
    explanation:
      "After its retries Lambda drops an asynchronous event that keeps failing; a destination keeps it with the error. A rule target's dead-letter queue does not help: it only receives events EventBridge could not deliver. Source: Compute Blog \"Implementing AWS Lambda error handling patterns\".",
  },
  {
    ruleSuffixOverride: 'LMB2',
    level: ERROR,
    rule: rules.lambda.LambdaEventInvokeConfigBounds,
    info: 'The EventInvokeConfig is outside what Lambda accepts. Use MaximumRetryAttempts 0 to 2 and MaximumEventAgeInSeconds 60 to 21600.',
    explanation:
      'Lambda rejects other values at deployment, after the stack update has started. Source: Lambda developer guide "Configuring error handling for asynchronous invocation".',
  },
  {
    ruleSuffixOverride: 'LMB3',
    level: ERROR,
    rule: rules.lambda.LambdaRecursiveTrigger,
    info: "The function's role may send to the queue, or publish to the topic, that triggers the function. Send to a different queue or topic; if the loop is intended and bounded, acknowledge this finding with the reason.",
    explanation:
      'Each message the function sends invokes it again: a recursive loop that Lambda stops only after about 16 invocations, dropping the event. Source: Compute Blog "Detecting and stopping recursive loops in AWS Lambda functions".',
  },
  {
    ruleSuffixOverride: 'LMB4',
    level: ERROR,
    rule: rules.lambda.LambdaLogLevelNeedsJson,
    info: 'The function sets an application or system log level without LogFormat JSON. Set LoggingConfig.LogFormat to JSON (loggingFormat: LoggingFormat.JSON) or drop the log levels.',
    explanation:
      'Lambda filters log levels only for JSON-formatted logs. Source: Compute Blog "Introducing advanced logging controls for AWS Lambda functions".',
  },
  {
    ruleSuffixOverride: 'LMB5',
    level: WARN,
    rule: rules.lambda.LambdaLogRetention,
    info: "The function's log group has no retention: its logs are kept forever. Give the function a log group with RetentionInDays (logGroup in aws-cdk-lib), or create /aws/lambda/<function name> with a retention.",
    explanation:
      'Lambda creates a log group without retention on first invocation; logs then accumulate cost forever. Source: Compute Blog "Introducing advanced logging controls for AWS Lambda functions" (custom log groups).',
  },
  {
    ruleSuffixOverride: 'LMB6',
    level: ERROR,
    rule: rules.lambda.LambdaLayerLimit,
    info: 'The function has more than 5 layers, the Lambda limit. Merge layers or bundle the dependencies into the function.',
    explanation: 'Lambda rejects a sixth layer at deployment. Source: Lambda quotas; Compute Blog "Using Lambda layers to simplify your development process".',
  },
  {
    ruleSuffixOverride: 'LMB8',
    level: WARN,
    rule: rules.lambda.LambdaExtraCaCerts,
    info: 'The function sets NODE_EXTRA_CA_CERTS=/var/runtime/ca-cert.pem, loading every Amazon CA certificate at each cold start. Remove it unless the function connects to endpoints that need them (e.g. RDS over TLS); then acknowledge the finding.',
    explanation:
      'Node.js 20 and later runtimes stopped loading these certificates by default because it slows cold starts. Source: Compute Blog "Node.js 20.x runtime now available in AWS Lambda".',
  },
  {
    ruleSuffixOverride: 'LMB7',
    level: ERROR,
    rule: rules.lambda.LambdaEfsMount,
    info: "The function mounts EFS without the mount safeguards. Make it depend on the file system's mount targets (DependsOnMountTargets) and open NFS (2049) on the mount targets only to security groups, not address ranges (NfsOpenToAddresses), including the function's (NfsClosedToFunction).",
    explanation:
      'Lambda refuses to create a function whose file system has no available mount target, and a function whose security group NFS does not admit cannot mount it. Source: Compute Blog "Using Amazon EFS for AWS Lambda in your serverless applications" and "Building deep learning inference with AWS Lambda and Amazon EFS".',
  },
  {
    ruleSuffixOverride: 'EVB1',
    level: ERROR,
    rule: rules.eventbridge.EventBridgeRuleTargetLimit,
    info: 'The EventBridge rule has more than 5 targets, the service limit. Fan out through an SNS topic, or split the targets over several rules with the same pattern.',
    explanation: 'EventBridge rejects a sixth target. Source: EventBridge quotas; Compute Blog "Choosing between messaging services for serverless applications".',
  },
  {
    ruleSuffixOverride: 'EVB3',
    level: WARN,
    rule: rules.eventbridge.EventBridgeRuleTargetDeadLetter,
    info: 'A target of the EventBridge rule has no DeadLetterConfig. Give every target a dead-letter queue (deadLetterQueue in aws-cdk-lib targets).',
    explanation:
      'Events EventBridge cannot deliver (permissions, deleted target, retries exhausted) are otherwise dropped without a trace. Source: Compute Blog "Implementing AWS Lambda error handling patterns"; EventBridge guide "Event retry policy and using dead-letter queues".',
  },
  {
    ruleSuffixOverride: 'EVB2',
    level: WARN,
    rule: rules.eventbridge.EventBridgePutEventsScoped,
    info: 'The policy allows events:PutEvents on a wildcard resource. Name the event bus ARNs the principal publishes to.',
    explanation:
      'A wildcard lets the principal inject events into every bus of the account, and each event can trigger any rule there. Source: EventBridge guide "Identity-based policies"; least privilege.',
  },
  {
    ruleSuffixOverride: 'EVB4',
    level: ERROR,
    rule: rules.eventbridge.EventBridgeApiDestinationTargetFailureHandling,
    info: 'A rule target that is an API destination lacks a dead-letter queue (DeadLetterConfig) or a RetryPolicy stating both MaximumRetryAttempts and MaximumEventAgeInSeconds (RetryPolicy). Give the target deadLetterQueue, retryAttempts and maxEventAge (RateLimitedEgress with deliveryPath MANAGED sets all three).',
    explanation:
      'EventBridge retries an API destination only on 401, 407, 409, 429 and 5xx; any other 4xx fails the event at once, and without a dead-letter queue it is dropped. The retry window is the longest partner outage survived without dead-lettering, and events also age in it while the rate limit holds them back. Source: EventBridge guide "API destinations as targets" (error handling), "How EventBridge retries delivering events", "Using dead-letter queues to process undelivered events".',
  },
  {
    ruleSuffixOverride: 'EVB5',
    level: ERROR,
    rule: rules.eventbridge.EventBridgeConnectionCustomerManagedKey,
    info: "The EventBridge connection keeps the partner's credentials under an AWS owned key although the app encrypts its secrets or event buses with customer managed keys (CustomerManagedKey), or names a key of the app without the tag EventBridgeApiDestinations: true (KeyTag). Set KmsKeyIdentifier to a customer managed key tagged EventBridgeApiDestinations: true (RateLimitedEgress: encryptionKey).",
    explanation:
      'EventBridge stores connection credentials in a Secrets Manager secret it creates, encrypted with an AWS owned key unless KmsKeyIdentifier names a customer managed key; it uses such a key only when the key carries the tag. Source: EventBridge guide "Encrypting EventBridge connection authorization with AWS KMS keys".',
  },
  {
    ruleSuffixOverride: 'EVB6',
    level: WARN,
    rule: rules.eventbridge.EventBridgeApiDestinationRateLimit,
    info: "The API destination has no InvocationRateLimitPerSecond. Set it to the rate the partner allows (rateLimitPerSecond on aws-cdk-lib's ApiDestination).",
    explanation:
      'Unset, EventBridge sends as fast as events arrive, up to the per-destination quota (300 per second by default): a burst of events becomes a burst of requests and 429 answers. Even when set, EventBridge applies the limit on a best-effort basis per destination, not across senders. Source: EventBridge guide "API destinations as targets"; EventBridge quotas.',
  },
  {
    ruleSuffixOverride: 'PIP1',
    level: ERROR,
    rule: rules.pipes.PipeBatchWithinTargetLimit,
    info: "The pipe's source batch size is larger than its target accepts. Use at most 10 for an event bus, SNS topic or SQS queue (500 for Kinesis or Firehose, 10000 for CloudWatch Logs).",
    explanation:
      'Pipes refuses a batch size larger than the target supports (PutEvents takes at most 10 entries). Source: EventBridge guide "Amazon EventBridge Pipes batching and concurrency"; Compute Blog on Pipes with Avro events.',
  },
  {
    ruleSuffixOverride: 'PIP2',
    level: WARN,
    rule: rules.pipes.PipeStreamFailureHandling,
    info: 'The pipe reads a stream without failure handling, so one bad record can block its shard and then be lost. Add a DeadLetterConfig, bound MaximumRetryAttempts or MaximumRecordAgeInSeconds (UnboundedRetries) and set OnPartialBatchItemFailure: AUTOMATIC_BISECT.',
    explanation:
      'By default a pipe retries a failing record until it leaves the stream, blocking its shard, and then drops it. Source: Compute Blog "Implementing the transactional outbox pattern with Amazon EventBridge Pipes" and "Decoupling event publishing with Amazon EventBridge Pipes".',
  },
  {
    ruleSuffixOverride: 'PIP3',
    level: WARN,
    rule: rules.pipes.PipeDynamoDBStreamRemoveFiltered,
    info: "The pipe publishes a DynamoDB table's changes as events without an explicit StartingPosition, or without filtering out REMOVE records although the table expires items by TTL. Set StartingPosition and add a filter such as {\"eventName\": [\"INSERT\", \"MODIFY\"]}.",
    explanation:
      'TTL deletions arrive as REMOVE records and would be published as business deletions. Source: Compute Blog "Decoupling event publishing with Amazon EventBridge Pipes"; DynamoDB guide on TTL and streams.',
  },
  {
    ruleSuffixOverride: 'PIP4',
    level: ERROR,
    rule: rules.pipes.PipeSqsBatchingWindowWithinVisibility,
    info: "The pipe's batching window (MaximumBatchingWindowInSeconds) is longer than the visibility timeout of the SQS queue it reads. Raise the queue's VisibilityTimeout above the window, or shorten the window.",
    explanation:
      'Messages read at the start of the window become visible again before the batch is delivered, and are read and delivered a second time. Source: EventBridge guide "Amazon Simple Queue Service as a source" (batch window; messages are hidden for the visibility timeout).',
  },
  {
    ruleSuffixOverride: 'SNS1',
    level: WARN,
    rule: rules.sns.SNSSubscriptionRedrive,
    info: 'The SNS subscription to a queue or function has no RedrivePolicy (or is declared inline on the topic, where it cannot have one). Give the subscription a dead-letter queue (deadLetterQueue in aws-cdk-lib subscriptions).',
    explanation:
      'Messages SNS cannot deliver after its retries (deleted endpoint, missing permission, unusable KMS key) are discarded. Source: Compute Blog "Implementing AWS Lambda error handling patterns"; SNS guide "Amazon SNS dead-letter queues".',
  },
  {
    ruleSuffixOverride: 'IDM1',
    level: ERROR,
    rule: rules.dynamodb.DynamoDBIdempotencyTable,
    info: 'The idempotency table lacks the shape Powertools idempotency uses, or a role has other grants on it than Powertools needs. Use a string partition key, id (KeySchema), enable TTL, on expiration (TimeToLive), and grant each consumer exactly GetItem, PutItem, UpdateItem and DeleteItem (Grants).',
    explanation:
      'Without TTL, records never expire; broader grants let a consumer scan or rewrite every record; missing actions make duplicates fail at runtime. Source: Compute Blog "Implementing idempotent AWS Lambda functions with Powertools for AWS Lambda (TypeScript)"; Powertools idempotency documentation (required IAM permissions).',
  },
  {
    ruleSuffixOverride: 'CB1',
    level: WARN,
    rule: rules.dynamodb.DynamoDBCircuitBreakerTable,
    info: 'The circuit-breaker table does not expire its items by TTL (TimeToLive), or a role has more than item actions on it (Grants). Enable TTL and grant only GetItem/PutItem/UpdateItem/DeleteItem/ConditionCheckItem.',
    explanation:
      'Circuit items of retired dependencies should expire; a role that can scan or change the table can read or reset every circuit. Source: Compute Blog "Using the circuit-breaker pattern with AWS Lambda extensions and Amazon DynamoDB".',
  },
];
