/**
 * The delivery handler and the drain controller, assembled from the environment the RateLimitedEgress construct
 * sets. The deployed functions are exactly these; the options let tests and users point the clients elsewhere.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { awsJsonRequest, AwsRequestTarget } from './aws-request';
import { EgressConfig, EgressEnvironment, resolveEgressConfig } from './config';
import { DeadLetterSink, deliverBatch, DeliveryLogger, DeliveryOptions } from './delivery';
import { DrainControllerReport, superviseDrain } from './drain-controller';
import { DrainSwitch, EventSourceMappingSwitch } from './drain-switch';
import { PartnerSemantics } from './partner-http';
import { FleetRateLimiter, systemLimiterClock } from './rate-limiter';
import { RATE_LIMITED_EGRESS_DEFAULTS as DEFAULTS } from '../../../lib/rate-limited-egress/contract';
import { CircuitBreaker, CircuitBreakerOptions } from '../circuit-breaker/breaker';

/** Collaborators a test or a custom handler may replace. */
export interface EgressRuntimeOptions {
  /** @default process.env */
  readonly env?: EgressEnvironment;
  readonly dynamoDbClient?: DynamoDBClient;
  readonly sqsClient?: SQSClient;
  /** Where the Lambda and Secrets Manager APIs are called (region, endpoint, credentials). @default - the function's region */
  readonly awsTarget?: Omit<AwsRequestTarget, 'service'>;
  /** Replaces the event source mapping switch. */
  readonly drain?: DrainSwitch;
  /** Replaces the fleet-wide rate limiter built from the environment. */
  readonly limiter?: FleetRateLimiter;
  /** Options of the circuit breaker client (settings come from the environment the CircuitBreaker construct sets). */
  readonly breaker?: CircuitBreakerOptions;
  readonly logger?: DeliveryLogger;
  readonly onAnswer?: DeliveryOptions['onAnswer'];
}

/** JSON lines on stdout, which Lambda's JSON log format keeps as structured fields. */
export const jsonLogger: DeliveryLogger = {
  log: (level, message, fields = {}) => process.stdout.write(`${JSON.stringify({ level, message, ...fields })}\n`),
};

interface Assembled {
  readonly config: EgressConfig;
  readonly limiter: FleetRateLimiter;
  readonly breaker: CircuitBreaker;
  readonly drain: DrainSwitch;
  readonly semantics: PartnerSemantics;
  readonly headers: Promise<Record<string, string>>;
  readonly logger: DeliveryLogger;
}

function assemble(options: EgressRuntimeOptions): Assembled {
  const env = options.env ?? process.env;
  const config = resolveEgressConfig(env);
  const dynamoDbClient = options.dynamoDbClient ?? new DynamoDBClient({});
  const awsTarget = options.awsTarget ?? { region: env.AWS_REGION ?? 'us-east-1' };
  const limiter = options.limiter ?? new FleetRateLimiter({
    client: dynamoDbClient,
    tableName: config.limiterTableName,
    limiterId: config.limiterId,
    limitPerSecond: config.rateLimitPerSecond,
    startToleranceMs: config.startToleranceMs,
  });
  const breaker = new CircuitBreaker({ dynamoDbClient, env, ...options.breaker });
  let drain = options.drain;
  if (!drain) {
    if (config.eventSourceMappingId) {
      drain = new EventSourceMappingSwitch(awsTarget, config.eventSourceMappingId);
    } else if (config.functionName && config.bufferQueueArn) {
      drain = EventSourceMappingSwitch.forFunction(awsTarget, config.functionName, config.bufferQueueArn);
    } else {
      throw new Error('neither the event source mapping id nor the buffer queue ARN is set: the buffer could not be paused');
    }
  }
  return {
    config,
    limiter,
    breaker,
    drain,
    semantics: { permanentStatuses: config.permanentStatuses, maxRetryAfterMs: DEFAULTS.maxRetryAfterMs, now: () => Date.now() },
    headers: staticHeaders(config, awsTarget),
    logger: options.logger ?? jsonLogger,
  };
}

/** The content type, and the API key read once per environment from Secrets Manager (never from the template). */
async function staticHeaders(config: EgressConfig, target: Omit<AwsRequestTarget, 'service'>): Promise<Record<string, string>> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (config.apiKeySecretId) {
    const out = await awsJsonRequest({ ...target, service: 'secretsmanager' }, 'POST', '/', { SecretId: config.apiKeySecretId }, {
      'x-amz-target': 'secretsmanager.GetSecretValue',
      'content-type': 'application/x-amz-json-1.1',
    });
    headers[config.apiKeyHeader] = String(out.SecretString ?? '');
  }
  return headers;
}

/** The part of the Lambda context the handlers read. */
export interface RemainingTime {
  getRemainingTimeInMillis(): number;
}

/** The SQS handler of the delivery function. */
export function createDeliveryHandler(options: EgressRuntimeOptions = {}): (event: SQSEvent, context: RemainingTime) => Promise<SQSBatchResponse> {
  const parts = assemble(options);
  const sqs = options.sqsClient ?? new SQSClient({});
  const deadLetters: DeadLetterSink = {
    send: async (record, reason) => {
      if (!parts.config.deadLetterQueueUrl) throw new Error('no dead-letter queue URL is set');
      await sqs.send(new SendMessageCommand({
        QueueUrl: parts.config.deadLetterQueueUrl,
        MessageBody: record.body,
        MessageAttributes: {
          RejectedStatus: { DataType: 'Number', StringValue: String(reason.status ?? 0) },
          RejectionReason: { DataType: 'String', StringValue: reason.error.slice(0, 1024) || '(empty)' },
          SourceMessageId: { DataType: 'String', StringValue: record.messageId },
        },
      }));
    },
  };
  return async (event, context) => deliverBatch(event.Records, () => context.getRemainingTimeInMillis(), {
    endpointUrl: parts.config.endpointUrl,
    method: parts.config.method,
    headers: await parts.headers,
    idempotencyHeader: parts.config.idempotencyHeader,
    input: parts.config.input,
    semantics: parts.semantics,
    limiter: parts.limiter,
    breaker: parts.breaker,
    drain: parts.drain,
    deadLetters,
    attemptsPerInvocation: DEFAULTS.attemptsPerInvocation,
    callTimeoutMs: parts.breaker.config.callTimeoutMs,
    logger: parts.logger,
    onAnswer: options.onAnswer,
  });
}

/** The scheduled handler of the drain controller. */
export function createDrainController(
  options: EgressRuntimeOptions = {},
): (event?: unknown, context?: RemainingTime) => Promise<DrainControllerReport> {
  const parts = assemble(options);
  return async (_event, context) => superviseDrain({
    breaker: parts.breaker,
    drain: parts.drain,
    limiter: parts.limiter,
    probeUrl: parts.config.probeUrl,
    headers: await parts.headers,
    semantics: parts.semantics,
    watchMs: Math.min(parts.config.controllerWatchMs, (context?.getRemainingTimeInMillis() ?? Infinity) - parts.breaker.config.callTimeoutMs - 2_000),
    sleep: systemLimiterClock.sleep,
    logger: parts.logger,
  });
}
