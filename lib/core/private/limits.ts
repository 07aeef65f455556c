/**
 * Every AWS limit the constructs check, in one place, each with the documentation page it comes from. Checks import
 * these numbers; none repeats them. Where a limit is a default quota an account can raise, the name says so and the
 * check is a warning rather than an error.
 */

/** A numeric range, inclusive, with the page that documents it. */
export interface Range {
  readonly min: number;
  readonly max: number;
  readonly source: string;
}

const LAMBDA_CONFIG = 'https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html';
const LAMBDA_CFN = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html';
const LAMBDA_ESM = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-eventsourcemapping.html';
const SQS_QUOTAS = 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/quotas-queues.html';
const SQS_CFN = 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html';
const SQS_DLQ = 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html';
const SNS_TOPIC = 'https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html';
const SNS_FILTER = 'https://docs.aws.amazon.com/sns/latest/dg/subscription-filter-policy-constraints.html';
const SNS_QUOTAS = 'https://docs.aws.amazon.com/general/latest/gr/sns.html';
const EVB_TARGET = 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_RetryPolicy.html';
const EVB_RULE = 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_PutRule.html';
const EVB_SCHEDULE = 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html';
const DDB_NAMES = 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html';
const CW_NAMESPACE = 'https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricData.html';
const LAMBDA_ASYNC = 'https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-configuring.html';
const LAMBDA_CONCURRENCY = 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html';
const LAMBDA_SQS_SCALING = 'https://docs.aws.amazon.com/lambda/latest/dg/services-sqs-scaling.html';
const SQS_SET_ATTRIBUTES = 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SetQueueAttributes.html';

/** AWS Lambda. */
export const LAMBDA = {
  /** Function timeout, seconds. */
  timeoutSeconds: { min: 1, max: 900, source: LAMBDA_CONFIG } as Range,
  /** The timeout of a function that sets none, seconds. */
  defaultTimeoutSeconds: 3,
  /** Memory, MB (1 MB increments). */
  memoryMb: { min: 128, max: 10_240, source: LAMBDA_CONFIG } as Range,
  /** Ephemeral storage (/tmp), MB. */
  ephemeralStorageMb: { min: 512, max: 10_240, source: LAMBDA_CONFIG } as Range,
  /** Total size of all environment variables (keys and values), bytes. */
  environmentBytes: { min: 0, max: 4_096, source: LAMBDA_CONFIG } as Range,
  /** Layers per function. */
  layers: { min: 0, max: 5, source: LAMBDA_CONFIG } as Range,
  /** How long Lambda keeps an asynchronous event in its queue (MaximumEventAgeInSeconds), seconds. */
  asyncMaxEventAgeSeconds: { min: 60, max: 21_600, source: LAMBDA_ASYNC } as Range,
  /** Function plus layers, unzipped, bytes. */
  unzippedBytes: { min: 0, max: 262_144_000, source: LAMBDA_CONFIG } as Range,
  /** Reserved concurrency (0 stops the function; the upper bound is the account's unreserved pool, not knowable at synth). */
  reservedConcurrency: { min: 0, max: Number.MAX_SAFE_INTEGER, source: LAMBDA_CFN } as Range,
  /** Provisioned concurrency per version or alias; it must not exceed reserved concurrency when that is set. */
  provisionedConcurrency: { min: 1, max: Number.MAX_SAFE_INTEGER, source: 'https://docs.aws.amazon.com/lambda/latest/dg/provisioned-concurrency.html' } as Range,
  /** Handler string length. */
  handlerLength: { min: 1, max: 128, source: LAMBDA_CFN } as Range,
  /** Async invocation retries. */
  asyncRetryAttempts: { min: 0, max: 2, source: 'https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html' } as Range,
  /** SQS event source batch size (FIFO queues). */
  fifoBatchSize: { min: 1, max: 10, source: LAMBDA_ESM } as Range,
  /** SQS event source batch size (standard queues; above 10 needs a batching window). */
  standardBatchSize: { min: 1, max: 10_000, source: LAMBDA_ESM } as Range,
  /** SQS event source batching window, seconds. */
  batchingWindowSeconds: { min: 0, max: 300, source: LAMBDA_ESM } as Range,
  /** SQS event source maximum concurrency. */
  sqsMaxConcurrency: { min: 2, max: 1_000, source: LAMBDA_ESM } as Range,
  /**
   * Concurrent executions of an account in a Region at the default quota ("Configuring reserved concurrency for a
   * function"). The quota can be raised, so checks against it warn.
   */
  defaultAccountConcurrency: 1_000,
  /** Concurrency Lambda keeps unreserved for functions without reserved concurrency: at most quota − 100 can be reserved. */
  minimumUnreservedConcurrency: 100,
  concurrencySource: LAMBDA_CONCURRENCY,
  /**
   * "Configuring scaling behavior for SQS event source mappings": reserved concurrency below the summed maximum
   * concurrency of a function's SQS event sources lets Lambda throttle the messages.
   */
  sqsScalingSource: LAMBDA_SQS_SCALING,
  /**
   * A function can only use layer versions of its own Region: a layer ARN of another Region is answered at deploy with
   * an access error on lambda:GetLayerVersion ("Adding layers to functions" lists GetLayerVersion on the layer version
   * as a prerequisite; layer versions are regional resources named by Region in their ARN).
   */
  layerRegionSource: 'https://docs.aws.amazon.com/lambda/latest/dg/adding-layers.html',
} as const;

/**
 * Lambda runtime lifecycle (deprecation and the date from which Lambda refuses to create functions on the runtime),
 * from https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html (dates as published for each runtime), as
 * read on `LAMBDA_RUNTIME_LIFECYCLE_AS_OF`. Nothing compares these dates with the day a synth runs: AWS blocks
 * creating functions before it blocks updating them ("Runtime deprecation policy",
 * https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html), and AWS moves dates, so a check against
 * today's date would refuse stacks AWS still updates, or pass stacks AWS refuses, depending on when it runs.
 */
export const LAMBDA_RUNTIME_LIFECYCLE_AS_OF = '2026-12-07';

export const LAMBDA_RUNTIME_LIFECYCLE: Readonly<Record<string, { readonly deprecated: string; readonly createBlocked: string }>> = {
  'dotnet10': { deprecated: '2028-11-14', createBlocked: '2028-12-14' },
  'dotnet6': { deprecated: '2024-12-20', createBlocked: '2027-02-01' },
  'dotnet8': { deprecated: '2026-11-10', createBlocked: '2027-02-01' },
  'dotnet9': { deprecated: '2026-11-10', createBlocked: 'None' },
  'dotnetcore1.0': { deprecated: '2019-06-27', createBlocked: '2019-06-30' },
  'dotnetcore2.0': { deprecated: '2019-05-30', createBlocked: '2019-04-30' },
  'dotnetcore2.1': { deprecated: '2022-01-05', createBlocked: '2022-01-05' },
  'dotnetcore3.1': { deprecated: '2023-04-03', createBlocked: '2023-04-03' },
  'go1.x': { deprecated: '2024-01-08', createBlocked: '2024-02-08' },
  'java11': { deprecated: '2027-06-30', createBlocked: '2027-07-31' },
  'java17': { deprecated: '2027-06-30', createBlocked: '2027-07-31' },
  'java21': { deprecated: '2029-06-30', createBlocked: '2029-07-31' },
  'java25': { deprecated: '2029-06-30', createBlocked: '2029-07-31' },
  'java8': { deprecated: '2024-01-08', createBlocked: '2024-02-08' },
  'java8.al2': { deprecated: '2027-06-30', createBlocked: '2027-07-31' },
  'nodejs': { deprecated: '2016-08-30', createBlocked: '2016-09-30' },
  'nodejs10.x': { deprecated: '2021-07-30', createBlocked: '2021-07-30' },
  'nodejs12.x': { deprecated: '2023-03-31', createBlocked: '2023-03-31' },
  'nodejs14.x': { deprecated: '2023-12-04', createBlocked: '2024-01-09' },
  'nodejs16.x': { deprecated: '2024-06-12', createBlocked: '2027-02-01' },
  'nodejs18.x': { deprecated: '2025-09-01', createBlocked: '2027-02-01' },
  'nodejs20.x': { deprecated: '2026-04-30', createBlocked: '2027-02-01' },
  'nodejs22.x': { deprecated: '2027-04-30', createBlocked: '2027-06-01' },
  'nodejs24.x': { deprecated: '2028-04-30', createBlocked: '2028-06-01' },
  'nodejs4.3': { deprecated: '2020-03-05', createBlocked: '2020-02-03' },
  'nodejs4.3-edge': { deprecated: '2020-03-05', createBlocked: '2019-03-31' },
  'nodejs6.10': { deprecated: '2019-08-12', createBlocked: '2019-07-12' },
  'nodejs8.10': { deprecated: '2020-03-06', createBlocked: '2020-02-04' },
  'provided': { deprecated: '2024-01-08', createBlocked: '2024-02-08' },
  'provided.al2': { deprecated: '2026-07-31', createBlocked: '2027-02-01' },
  'provided.al2023': { deprecated: '2029-06-30', createBlocked: '2029-07-31' },
  'python2.7': { deprecated: '2021-07-15', createBlocked: '2021-07-15' },
  'python3.10': { deprecated: '2026-10-31', createBlocked: '2027-02-01' },
  'python3.11': { deprecated: '2027-06-30', createBlocked: '2027-07-31' },
  'python3.12': { deprecated: '2028-10-31', createBlocked: '2028-11-30' },
  'python3.13': { deprecated: '2029-06-30', createBlocked: '2029-07-31' },
  'python3.14': { deprecated: '2029-06-30', createBlocked: '2029-07-31' },
  'python3.6': { deprecated: '2022-07-18', createBlocked: '2022-07-18' },
  'python3.7': { deprecated: '2023-12-04', createBlocked: '2024-01-09' },
  'python3.8': { deprecated: '2024-10-14', createBlocked: '2027-02-01' },
  'python3.9': { deprecated: '2025-12-15', createBlocked: '2027-02-01' },
  'ruby2.5': { deprecated: '2021-07-30', createBlocked: '2021-07-30' },
  'ruby2.7': { deprecated: '2023-12-07', createBlocked: '2024-01-09' },
  'ruby3.2': { deprecated: '2026-03-31', createBlocked: '2027-02-01' },
  'ruby3.3': { deprecated: '2027-03-31', createBlocked: '2027-04-30' },
  'ruby3.4': { deprecated: '2028-03-31', createBlocked: '2028-04-30' },
  'ruby4.0': { deprecated: '2029-03-31', createBlocked: '2029-04-30' },
};

/** Amazon SQS. */
export const SQS = {
  /** Queue name length, including the `.fifo` suffix. */
  nameLength: { min: 1, max: 80, source: SQS_QUOTAS } as Range,
  /** Message retention, seconds (60 s to 14 days). */
  retentionSeconds: { min: 60, max: 1_209_600, source: SQS_CFN } as Range,
  /** Visibility timeout, seconds (up to 12 hours). */
  visibilityTimeoutSeconds: { min: 0, max: 43_200, source: SQS_CFN } as Range,
  /** The visibility timeout of a queue that sets none, seconds. */
  defaultVisibilityTimeoutSeconds: 30,
  /** Redrive `maxReceiveCount` (we require at least 2: one throttled receive must not dead-letter a message). */
  maxReceiveCount: { min: 1, max: 1_000, source: SQS_DLQ } as Range,
  /** Delivery delay, seconds. */
  deliveryDelaySeconds: { min: 0, max: 900, source: SQS_CFN } as Range,
  /** Long-poll wait, seconds. */
  receiveWaitSeconds: { min: 0, max: 20, source: SQS_CFN } as Range,
  /** Maximum message size, bytes (1 KiB to 1 MiB). */
  maxMessageBytes: { min: 1_024, max: 1_048_576, source: SQS_CFN } as Range,
  /** Queue names: letters, digits, hyphens and underscores, plus `.fifo` for FIFO queues. */
  namePattern: /^[A-Za-z0-9_-]+(\.fifo)?$/,
  /**
   * SetQueueAttributes: "The perMessageGroupId value is allowed only when the value for DeduplicationScope is
   * messageGroup"; high throughput needs both (DeduplicationScope messageGroup and FifoThroughputLimit
   * perMessageGroupId), any other pair is normal throughput. An unset DeduplicationScope is `queue`.
   */
  fifoThroughputSource: SQS_SET_ATTRIBUTES,
  /**
   * A dead-letter queue's redrive allow policy names the source queues that may use it: `allowAll` (the default),
   * `denyAll`, or `byQueue` with up to 10 `sourceQueueArns` ("Using dead-letter queues in Amazon SQS").
   */
  redriveAllowSource: SQS_DLQ,
} as const;

/** Amazon SNS. */
export const SNS = {
  /** Topic name length, including the `.fifo` suffix. */
  topicNameLength: { min: 1, max: 256, source: SNS_TOPIC } as Range,
  /** FIFO topic names: letters, digits, hyphens and underscores, ending in `.fifo`. */
  fifoTopicNamePattern: /^[A-Za-z0-9_-]+\.fifo$/,
  /** Display name length (SMS sender name limits it further). */
  displayNameLength: { min: 0, max: 100, source: 'https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html' } as Range,
  /** Keys in one filter policy. */
  filterPolicyKeys: { min: 0, max: 5, source: SNS_FILTER } as Range,
  /** Value combinations in one filter policy. */
  filterPolicyCombinations: { min: 0, max: 150, source: SNS_FILTER } as Range,
  /** Subscriptions of one FIFO topic (default quota; it can be raised). */
  fifoSubscriptionsDefaultQuota: { min: 0, max: 100, source: SNS_QUOTAS } as Range,
} as const;

/** Amazon EventBridge. */
export const EVENTBRIDGE = {
  /** Target retry attempts. */
  retryAttempts: { min: 0, max: 185, source: EVB_TARGET } as Range,
  /** Maximum event age, seconds (60 s to 24 h). */
  maxEventAgeSeconds: { min: 60, max: 86_400, source: EVB_TARGET } as Range,
  /** Rule name length. */
  ruleNameLength: { min: 1, max: 64, source: EVB_RULE } as Range,
  /** Rule description length. */
  ruleDescriptionLength: { min: 0, max: 512, source: EVB_RULE } as Range,
  /** Schedule rate: whole minutes, at least one. */
  scheduleRateSeconds: { min: 60, max: Number.MAX_SAFE_INTEGER, source: EVB_SCHEDULE } as Range,
  /** Event pattern size, characters (default quota; it can be raised). */
  eventPatternDefaultQuota: { min: 1, max: 2_048, source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html' } as Range,
  /** Event bus name length. */
  busNameLength: { min: 1, max: 256, source: 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateEventBus.html' } as Range,
} as const;

/** Amazon EventBridge Pipes. */
export const PIPES = {
  /** Target parameter JSON paths (e.g. an SQS message group id) are at most 100 characters. */
  targetPathLength: { min: 1, max: 100, source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-pipes-pipe-pipetargetsqsqueueparameters.html' } as Range,
  /** Regions where AWS::Pipes::Pipe is not available (CloudFormation's regional resource lists). */
  unavailableRegions: [
    'ap-east-2', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ca-west-1', 'il-central-1',
    'mx-central-1', 'us-gov-east-1', 'us-gov-west-1',
  ] as readonly string[],
  unavailableRegionsSource: 'https://docs.aws.amazon.com/general/latest/gr/eb.html',
} as const;

/**
 * Lambda function URLs (AWS::Lambda::Url), which some regions do not offer. A stack for one of them fails at deploy:
 * CloudFormation answers "Unrecognized resource types: [AWS::Lambda::Url]" where it has no such type, and where it has
 * one but Lambda has no function URLs the create fails.
 */
export const FUNCTION_URLS = {
  /**
   * Regions whose CloudFormation has no AWS::Lambda::Url: the regional resource schemas of the cfn-lint release pinned
   * in scripts/cfn-lint.requirements.txt (1.58.0), which test/cfn-lint checks this list against (E3006, "Resource type
   * 'AWS::Lambda::Url' does not exist in '<region>'"). GovCloud and China are in it.
   */
  cloudFormationGaps: [
    'ap-east-2', 'ap-south-2', 'ap-southeast-4', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ca-west-1',
    'cn-northwest-1', 'eu-central-2', 'il-central-1', 'me-central-1', 'mx-central-1', 'us-gov-east-1', 'us-gov-west-1',
  ] as readonly string[],
  /**
   * Regions the Lambda developer guide lists as without function URLs ("Creating and managing Lambda function URLs":
   * "Function URLs are not supported in the following AWS Regions") although CloudFormation's schemas have the type.
   */
  documentedGaps: ['eu-south-2'] as readonly string[],
  source: 'https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html',
} as const;

/** Regions without Lambda function URLs: CloudFormation's gaps and the Lambda guide's, together. */
export const FUNCTION_URL_UNAVAILABLE_REGIONS: readonly string[] = [...FUNCTION_URLS.cloudFormationGaps, ...FUNCTION_URLS.documentedGaps].sort();

/** Amazon DynamoDB. */
export const DYNAMODB = {
  /** Table name length. */
  tableNameLength: { min: 3, max: 255, source: DDB_NAMES } as Range,
  /** Table names: letters, digits, underscore, hyphen and dot. */
  tableNamePattern: /^[A-Za-z0-9_.-]+$/,
} as const;

/** Amazon CloudWatch. */
export const CLOUDWATCH = {
  /** Metric namespace length. */
  namespaceLength: { min: 1, max: 255, source: CW_NAMESPACE } as Range,
  /**
   * PutMetricData (and so embedded metric format) namespaces: ASCII without control characters, and not starting with
   * `AWS/`, which is reserved for AWS services.
   */
  namespaceCharacters: /^[\x20-\x7E]+$/,
  reservedNamespacePrefix: 'AWS/',
  /**
   * The pattern an alarm's metric namespace must match, `[^:].*` (AWS::CloudWatch::Alarm Metric, and PutMetricAlarm):
   * a namespace starting with a colon can be written to but no alarm can watch it.
   */
  alarmNamespacePattern: /^[^:]/,
  alarmNamespaceSource: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-cloudwatch-alarm-metric.html',
  /**
   * CloudWatch alarms cannot publish to an SNS topic encrypted with the AWS managed key alias/aws/sns: its key policy
   * cannot be edited to let CloudWatch use it (AWS Knowledge Center, "Configure a CloudWatch alarm with an encrypted
   * Amazon SNS topic").
   */
  alarmTopicKeySource: 'https://repost.aws/knowledge-center/cloudwatch-configure-alarm-sns',
} as const;

/** AWS KMS. */
export const KMS = {
  /** Aliases of AWS managed keys (alias/aws/sqs, alias/aws/sns, ...); their key policies cannot be changed. */
  awsManagedAliasPrefix: 'alias/aws/',
  /**
   * Amazon SQS Key management: the AWS managed key's policy admits principals of the account through SQS only; for
   * AWS services that send to a queue (SNS, EventBridge) "you must create a customer managed KMS key and add
   * permissions in the key policy for the service". IAM roles of the account (an EventBridge Pipe's role, a Lambda
   * function's role) can use the AWS managed key.
   */
  awsManagedQueueKeySource: 'https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-key-management.html',
} as const;

/** Amazon EFS mount targets. */
export const EFS = {
  /**
   * "Creating mount targets": mount targets of a file system live in one VPC at a time, at most one per Availability
   * Zone; a One Zone file system has a single mount target in its own zone.
   */
  mountTargetsSource: 'https://docs.aws.amazon.com/efs/latest/ug/manage-fs-access-create-delete-mount-targets.html',
  /**
   * "Configuring file system access for Lambda functions": the file system needs a mount target in every Availability
   * Zone the function connects to; Lambda refuses the function configuration otherwise.
   */
  lambdaMountTargetsSource: 'https://docs.aws.amazon.com/lambda/latest/dg/configuration-filesystem.html',
} as const;

/** Resource tags. */
export const TAGS = {
  /** Tag value length (EC2 and most services accept at most 256 Unicode characters). */
  valueLength: { min: 0, max: 256, source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Tag.html' } as Range,
  /** Tag key length (128 for most services; EC2 accepts 127). */
  keyLength: { min: 1, max: 127, source: 'https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_Tag.html' } as Range,
} as const;

/**
 * AWS CloudFormation resource custom naming: "Resource names must be unique across all your active stacks"; two
 * resources of one type with the same custom name fail the deployment of the second.
 */
export const PHYSICAL_NAMES = {
  source: 'https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-name.html',
} as const;

/** Whether `value` is an integer within `range`. */
export function inRange(value: number, range: Range): boolean {
  return Number.isInteger(value) && value >= range.min && value <= range.max;
}

/** `min..max`, for messages. */
export function describeRange(range: Range, unit = ''): string {
  const max = range.max === Number.MAX_SAFE_INTEGER ? '' : `${range.max.toLocaleString('en-US')}`;
  return `${range.min.toLocaleString('en-US')}..${max}${unit ? ` ${unit}` : ''}`;
}

const EVB_API_DESTINATION = 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_CreateApiDestination.html';
const EVB_CONNECTION_PARAMETERS = 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ConnectionHttpParameters.html';

/** EventBridge API destinations and connections. */
export const API_DESTINATIONS = {
  /** InvocationRateLimitPerSecond: at least 1 (the API reference's valid range). */
  rateLimitPerSecond: { min: 1, max: Number.MAX_SAFE_INTEGER, source: EVB_API_DESTINATION } as Range,
  /** Invocations per second per API destination: a default quota an account can raise. */
  rateLimitDefaultQuota: { min: 1, max: 300, source: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html' } as Range,
  /** Invocation endpoint URL length. */
  endpointLength: { min: 1, max: 2_048, source: EVB_API_DESTINATION } as Range,
  /** Header, query string and body parameters of a connection, each. */
  connectionParameters: { min: 0, max: 100, source: EVB_CONNECTION_PARAMETERS } as Range,
  /** Length of a connection parameter's key and of its value. */
  connectionParameterLength: { min: 1, max: 512, source: 'https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ConnectionHeaderParameter.html' } as Range,
  /** Header parameter keys: HTTP token characters (API_ConnectionHeaderParameter). */
  headerKeyPattern: /^[!#$%&'*+-.^_`|~0-9a-zA-Z]+$/,
  /** Header parameter values: printable ASCII, spaces and tabs (API_ConnectionHeaderParameter). */
  headerValuePattern: /^[ \t]*[\x20-\x7E]+([ \t]+[\x20-\x7E]+)*[ \t]*$/,
  /** Query string keys: no control characters (API_ConnectionQueryStringParameter). */
  queryKeyPattern: /^[^\x00-\x1F\x7F]+$/,
  /** Query string values: no control characters but line feed and carriage return (API_ConnectionQueryStringParameter). */
  queryValuePattern: /^[^\x00-\x09\x0B\x0C\x0E-\x1F\x7F]+$/,
} as const;
