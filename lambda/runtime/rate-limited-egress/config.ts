/**
 * The settings of the delivery function and the drain controller, read from the environment the construct sets
 * (names and defaults in the construct's contract). A missing or malformed value fails the init, not every record.
 */
import { BUFFERED_CONSUMER_ENV, BufferedEventInput } from '../../../lib/buffered-consumer/contract';
import { RATE_LIMITED_EGRESS_DEFAULTS as DEFAULTS, RATE_LIMITED_EGRESS_ENV as ENV } from '../../../lib/rate-limited-egress/contract';

/** A process environment (or a stand-in for one in tests). */
export type EgressEnvironment = Readonly<Record<string, string | undefined>>;

/** Resolved settings. */
export interface EgressConfig {
  readonly endpointUrl: string;
  readonly method: string;
  readonly rateLimitPerSecond: number;
  readonly limiterTableName: string;
  readonly limiterId: string;
  readonly startToleranceMs: number;
  readonly idempotencyHeader: string;
  readonly permanentStatuses: ReadonlySet<number>;
  readonly deadLetterQueueUrl?: string;
  readonly eventSourceMappingId?: string;
  readonly bufferQueueArn?: string;
  /** The function's own name (Lambda sets AWS_LAMBDA_FUNCTION_NAME). */
  readonly functionName?: string;
  readonly probeUrl: string;
  readonly controllerWatchMs: number;
  readonly apiKeySecretId?: string;
  readonly apiKeyHeader: string;
  readonly input: BufferedEventInput;
}

/** Invalid settings. */
export class EgressConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'EgressConfigError';
  }
}

/** Reads and checks the settings. */
export function resolveEgressConfig(env: EgressEnvironment): EgressConfig {
  const endpointUrl = url(env, ENV.ENDPOINT_URL);
  const input = env[BUFFERED_CONSUMER_ENV.EVENT_INPUT] ?? BufferedEventInput.WHOLE_EVENT;
  if (input !== BufferedEventInput.WHOLE_EVENT && input !== BufferedEventInput.DETAIL) {
    throw new EgressConfigError(`${BUFFERED_CONSUMER_ENV.EVENT_INPUT} must be WHOLE_EVENT or DETAIL, got ${input}`);
  }
  const statuses = env[ENV.PERMANENT_STATUSES];
  return {
    endpointUrl,
    method: env[ENV.HTTP_METHOD] ?? DEFAULTS.httpMethod,
    rateLimitPerSecond: integer(env, ENV.RATE_LIMIT_PER_SECOND, undefined, 1),
    limiterTableName: required(env, ENV.LIMITER_TABLE_NAME),
    limiterId: required(env, ENV.LIMITER_ID),
    startToleranceMs: integer(env, ENV.START_TOLERANCE_MS, DEFAULTS.startToleranceMs, 0),
    idempotencyHeader: env[ENV.IDEMPOTENCY_HEADER] ?? DEFAULTS.idempotencyHeader,
    permanentStatuses: new Set(statuses === undefined ? DEFAULTS.permanentStatuses : statuses.split(',').filter(Boolean).map((s) => {
      const n = Number(s);
      if (!Number.isInteger(n) || n < 400 || n > 499 || n === 429) {
        throw new EgressConfigError(`${ENV.PERMANENT_STATUSES}: ${s} is not a 4xx status other than 429`);
      }
      return n;
    })),
    deadLetterQueueUrl: env[ENV.DEAD_LETTER_QUEUE_URL] || undefined,
    eventSourceMappingId: env[ENV.EVENT_SOURCE_MAPPING_ID] || undefined,
    bufferQueueArn: env[ENV.BUFFER_QUEUE_ARN] || undefined,
    functionName: env.AWS_LAMBDA_FUNCTION_NAME || undefined,
    probeUrl: env[ENV.PROBE_URL] ? url(env, ENV.PROBE_URL) : endpointUrl,
    controllerWatchMs: integer(env, ENV.CONTROLLER_WATCH_MS, DEFAULTS.controllerWatchMs, 0),
    apiKeySecretId: env[ENV.API_KEY_SECRET_ID] || undefined,
    apiKeyHeader: env[ENV.API_KEY_HEADER] ?? DEFAULTS.apiKeyHeader,
    input,
  };
}

function required(env: EgressEnvironment, name: string): string {
  const value = env[name];
  if (!value) throw new EgressConfigError(`environment variable ${name} is not set`);
  return value;
}

function url(env: EgressEnvironment, name: string): string {
  const value = required(env, name);
  try {
    return new URL(value).toString();
  } catch {
    throw new EgressConfigError(`environment variable ${name} is not a URL: ${value}`);
  }
}

function integer(env: EgressEnvironment, name: string, fallback: number | undefined, min: number): number {
  const text = env[name];
  if (text === undefined || text === '') {
    if (fallback === undefined) throw new EgressConfigError(`environment variable ${name} is not set`);
    return fallback;
  }
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < min) throw new EgressConfigError(`environment variable ${name} must be a whole number ≥ ${min}, got ${text}`);
  return value;
}
