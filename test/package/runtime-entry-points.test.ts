/**
 * Each runtime helper can be imported on its own (`cdk-serverless-patterns/runtime/<entry>`), and then needs only
 * the packages listed here in the user's function. This is the table the README documents: a new import that drags
 * Powertools into the SNS publisher (say) must show up here and there, not in a user's cold start.
 */
import { build } from 'esbuild';

const ENTRY_POINTS: Record<string, string[]> = {
  'fifo-publisher': ['@aws-sdk/client-sns'],
  'fifo-consumer': ['@aws-lambda-powertools/batch'],
  'idempotent-consumer': [
    '@aws-lambda-powertools/batch',
    '@aws-lambda-powertools/idempotency',
    '@aws-lambda-powertools/idempotency/dynamodb',
  ],
  'circuit-breaker': ['@aws-sdk/client-dynamodb'],
  'outbox': ['@aws-sdk/client-dynamodb'],
  // The dead-letter replay (and its command): kept out of `outbox`, so a writer function does not load four clients.
  'outbox/replay': ['@aws-sdk/client-dynamodb', '@aws-sdk/client-dynamodb-streams', '@aws-sdk/client-eventbridge', '@aws-sdk/client-sqs'],
  // Everything at once, for users who install all of the above.
  'index': [
    '@aws-lambda-powertools/batch',
    '@aws-lambda-powertools/idempotency',
    '@aws-lambda-powertools/idempotency/dynamodb',
    '@aws-sdk/client-dynamodb',
    '@aws-sdk/client-sns',
  ],
};

async function packagesImportedBy(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [require.resolve(`../../lambda/runtime/${entry}`)],
    bundle: true,
    write: false,
    platform: 'node',
    packages: 'external',
    metafile: true,
    logLevel: 'silent',
  });
  const packages = new Set<string>();
  for (const input of Object.values(result.metafile.inputs)) {
    for (const imported of input.imports) {
      // Relative paths marked external are `export type` re-exports esbuild drops; only packages count.
      if (imported.external && !imported.path.startsWith('node:') && !imported.path.startsWith('.')) packages.add(imported.path);
    }
  }
  return [...packages].sort();
}

test.each(Object.entries(ENTRY_POINTS))('runtime/%s needs exactly its documented packages', async (entry, expected) => {
  expect(await packagesImportedBy(entry)).toEqual(expected);
});

/** What each entry point exports at runtime (types have no runtime value and are checked by the compiler). */
const ENTRY_EXPORTS: Record<string, string[]> = {
  'fifo-publisher': [
    'DEFAULT_MAX_MESSAGE_BYTES', 'EVENT_TYPE_ATTRIBUTE', 'FIFO_ID_MAX_LENGTH', 'FifoPublishValidationError', 'FifoPublisher',
    'MAX_CONFIGURABLE_MESSAGE_BYTES', 'MAX_MESSAGE_ATTRIBUTES', 'MISSING_FROM_RESPONSE', 'PUBLISH_BATCH_MAX_ENTRIES',
    'SKIPPED_AFTER_GROUP_FAILURE',
  ],
  'fifo-consumer': ['FifoRecordParseError', 'NotAFifoRecordError', 'fifoBatchHandler'],
  'idempotent-consumer': [
    'BUFFERED_CONSUMER_ENV', 'BufferedEventInput', 'DEFAULT_IDEMPOTENCY_EXPIRY_SECONDS', 'MalformedMessageError',
    'MissingIdempotencyKeyError', 'defaultIdempotencyKey', 'idempotentBatchHandler', 'parseEventRecord',
  ],
  'circuit-breaker': [
    'CIRCUIT_BREAKER_ENV', 'CIRCUIT_ID_DIMENSION', 'CallTimeoutError', 'CallerError', 'CircuitBreaker', 'CircuitBreakerConfigError',
    'CircuitMetric', 'CircuitOpenError', 'CircuitRejectionReason', 'CircuitState', 'DEFAULT_METRICS_NAMESPACE', 'FailureCounting',
    'StoreFailureMode', 'defaultIsFailure', 'jsonLineLogger', 'resolveCircuitBreakerConfig', 'stdoutMetricSink', 'systemClock',
  ],
  'outbox': [
    'EVENT_ID_PATTERN', 'EventIdGenerator', 'MalformedCapturedItemError', 'MalformedOutboxRowError', 'NotAnOutboxEventError', 'OUTBOX_ENV',
    'OutboxConfigError', 'OutboxTarget', 'OutboxTransactionRejectedError', 'OutboxWriter', 'attributeValueBytes', 'eventEntryBytes',
    'eventIdTime', 'isCapturedItem', 'itemBytes', 'outboxDeliveryFrom', 'outboxEventFrom', 'resolveOutboxWriterConfig',
  ],
  'outbox/replay': ['ExpiredBatchPolicy', 'NotAStreamBatchError', 'OutboxReplayer', 'ReplayOutcome', 'streamBatchInfoOf'],
};

test.each(Object.entries(ENTRY_EXPORTS))('runtime/%s exports exactly its pinned names', (entry, names) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  expect(Object.keys(require(`../../lambda/runtime/${entry}`)).sort()).toEqual([...names].sort());
});

/** Entry points runtime/index leaves out: tools, not helpers for a function (they would add their packages to index). */
const NOT_IN_INDEX = ['outbox/replay'];

test('runtime/index exports every helper entry point\'s names and nothing else', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const all = Object.keys(require('../../lambda/runtime/index')).sort();
  const helpers = Object.entries(ENTRY_EXPORTS).filter(([entry]) => !NOT_IN_INDEX.includes(entry));
  expect(all).toEqual([...new Set(helpers.flatMap(([, names]) => names))].sort());
});
