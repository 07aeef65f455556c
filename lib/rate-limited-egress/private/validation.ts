import { Duration, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { validateConsumerOptions } from '../../core/private/consumer-options';
import { API_DESTINATIONS, EVENTBRIDGE, inRange, SQS } from '../../core/private/limits';
import { Problems, warn } from '../../core/private/validation';
import { RATE_LIMITED_EGRESS_DEFAULTS } from '../contract';
import { EgressDeliveryPath, EgressHttpMethod, RateLimitedEgressProps } from '../props';

/** Room kept after the last send slot of a batch: the call itself and the answer to Lambda. */
const INVOCATION_MARGIN_SECONDS = 1;

/** Checks the props of either path, naming the bad value and the fix. */
export function validateEgress(problems: Problems, scope: IConstruct, props: RateLimitedEgressProps): void {
  const managed = props.deliveryPath === EgressDeliveryPath.MANAGED;
  checkEndpoint(problems, 'endpointUrl', props.endpointUrl);
  if (props.probeUrl !== undefined) checkEndpoint(problems, 'probeUrl', props.probeUrl);
  problems.check(
    Object.values(EgressHttpMethod).includes(props.httpMethod ?? EgressHttpMethod.POST),
    'RateLimitedEgress.HttpMethod',
    `httpMethod ${JSON.stringify(props.httpMethod)} is not one this construct sends`,
    'use EgressHttpMethod.POST, PUT or PATCH: each delivery carries the event as its body',
  );
  problems.check(
    inRange(props.rateLimitPerSecond, API_DESTINATIONS.rateLimitPerSecond),
    'RateLimitedEgress.RateLimit',
    `rateLimitPerSecond ${props.rateLimitPerSecond} is not a whole number of at least 1`,
    'state the partner\'s limit in requests per second (1 or more)',
  );
  const tolerance = props.outageTolerance ?? Duration.seconds(EVENTBRIDGE.maxEventAgeSeconds.max);
  if (managed) {
    validateManaged(problems, scope, props, tolerance);
  } else {
    validateBuffered(problems, props, tolerance);
  }
}

function checkEndpoint(problems: Problems, name: string, url: string): void {
  if (Token.isUnresolved(url)) return;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  problems.check(
    parsed?.protocol === 'https:' && url.length <= API_DESTINATIONS.endpointLength.max,
    'RateLimitedEgress.Endpoint',
    `${name} ${JSON.stringify(url)} is not an https:// URL of at most ${API_DESTINATIONS.endpointLength.max} characters`,
    'use the partner\'s HTTPS endpoint: events (and API keys) must not travel in clear text, and API destinations accept HTTPS only',
  );
}

function validateManaged(problems: Problems, scope: IConstruct, props: RateLimitedEgressProps, tolerance: Duration): void {
  problems.check(
    props.authorization !== undefined,
    'RateLimitedEgress.ManagedAuthorization',
    'the MANAGED path was chosen without an authorization for its connection',
    'pass authorization: events.Authorization.apiKey / basic / oauth with values from Secrets Manager',
  );
  const retryAttempts = props.retryAttempts ?? EVENTBRIDGE.retryAttempts.max;
  problems.check(
    inRange(retryAttempts, EVENTBRIDGE.retryAttempts),
    'RateLimitedEgress.RetryAttempts',
    `retryAttempts ${retryAttempts} is outside EventBridge's ${EVENTBRIDGE.retryAttempts.min}..${EVENTBRIDGE.retryAttempts.max}`,
    `use a whole number from ${EVENTBRIDGE.retryAttempts.min} to ${EVENTBRIDGE.retryAttempts.max}`,
  );
  problems.check(
    tolerance.toSeconds() >= EVENTBRIDGE.maxEventAgeSeconds.min && tolerance.toSeconds() <= EVENTBRIDGE.maxEventAgeSeconds.max,
    'RateLimitedEgress.ManagedOutageTolerance',
    `outageTolerance ${tolerance.toHumanString()} is outside what EventBridge retries (1 minute to 24 hours of event age)`,
    'use at most 24 hours, or the BUFFERED path, whose queue keeps events up to 14 days',
  );
  const parameterSets = [
    ['headerParameters', props.headerParameters], ['queryStringParameters', props.queryStringParameters], ['bodyParameters', props.bodyParameters],
  ] as const;
  for (const [name, params] of parameterSets) {
    const count = Object.keys(params ?? {}).length;
    problems.check(
      count <= API_DESTINATIONS.connectionParameters.max,
      'RateLimitedEgress.ConnectionParameters',
      `${name} has ${count} entries, above the connection limit of ${API_DESTINATIONS.connectionParameters.max}`,
      'send fewer parameters, or move them into the request body (inputTransformation)',
    );
  }
  const bufferedOnly: Array<[string, unknown]> = [
    ['maxConcurrency', props.maxConcurrency], ['batchSize', props.batchSize], ['queueProps', props.queueProps],
    ['deliveryFunctionOptions', props.deliveryFunctionOptions], ['circuitBreaker', props.circuitBreaker],
    ['circuitBreakerProps', props.circuitBreakerProps], ['circuitId', props.circuitId], ['probeUrl', props.probeUrl],
    ['idempotencyHeaderName', props.idempotencyHeaderName], ['permanentStatuses', props.permanentStatuses],
    ['apiKeySecret', props.apiKeySecret], ['apiKeyHeaderName', props.apiKeyHeaderName], ['startTolerance', props.startTolerance],
    ['input', props.input],
  ];
  const given = bufferedOnly.filter(([, v]) => v !== undefined).map(([k]) => k);
  problems.check(
    given.length === 0,
    'RateLimitedEgress.BufferedOnlyOption',
    `${given.join(', ')} only apply to the BUFFERED path`,
    'drop them, or choose deliveryPath: EgressDeliveryPath.BUFFERED',
  );
  if (props.rateLimitPerSecond > API_DESTINATIONS.rateLimitDefaultQuota.max) {
    warn(scope, 'ApiDestinationRateQuota', `rateLimitPerSecond ${props.rateLimitPerSecond} is above the default quota of ` +
      `${API_DESTINATIONS.rateLimitDefaultQuota.max} invocations per second per API destination: request a quota increase`);
  }
}

function validateBuffered(problems: Problems, props: RateLimitedEgressProps, tolerance: Duration): void {
  const managedOnly: Array<[string, unknown]> = [
    ['authorization', props.authorization], ['headerParameters', props.headerParameters],
    ['queryStringParameters', props.queryStringParameters], ['bodyParameters', props.bodyParameters], ['inputTransformation', props.inputTransformation],
    ['retryAttempts', props.retryAttempts], ['encryptionKey', props.encryptionKey],
  ];
  const given = managedOnly.filter(([, v]) => v !== undefined).map(([k]) => k);
  problems.check(
    given.length === 0,
    'RateLimitedEgress.ManagedOnlyOption',
    `${given.join(', ')} only apply to the MANAGED path`,
    'drop them (BUFFERED takes its API key from apiKeySecret and sends the event as the body), or choose EgressDeliveryPath.MANAGED',
  );
  const batchSize = props.batchSize ?? 10;
  const maxConcurrency = props.maxConcurrency ?? 2;
  validateConsumerOptions(problems, { batchSize, maxConcurrency }, props.queueProps?.fifo ?? false);
  problems.check(batchSize <= 10, 'RateLimitedEgress.BatchSize', `batchSize ${batchSize} is above 10`,
    'use at most 10 records per invocation: each record waits for its own send slot, and a batching window would delay them');
  const retention = props.queueProps?.retentionPeriod ?? Duration.days(4);
  problems.check(
    retention.toSeconds() > tolerance.toSeconds(),
    'RateLimitedEgress.RetentionBelowOutageTolerance',
    `the buffer keeps events ${retention.toHumanString()}, not longer than the outage tolerance ${tolerance.toHumanString()}`,
    `raise queueProps.retentionPeriod above outageTolerance (SQS keeps messages at most ${SQS.retentionSeconds.max / 86_400} days)`,
  );
  const maxReceiveCount = props.queueProps?.maxReceiveCount ?? RATE_LIMITED_EGRESS_DEFAULTS.maxReceiveCount;
  problems.check(
    maxReceiveCount >= 3,
    'RateLimitedEgress.MaxReceiveCount',
    `maxReceiveCount ${maxReceiveCount} leaves no room for an outage`,
    'use at least 3 (default 5): an outage can cost a waiting event the receive that met the failure and one more while the pause takes effect',
  );
  const timeout = props.deliveryFunctionOptions?.timeout ?? Duration.seconds(30);
  const callTimeout = props.circuitBreakerProps?.callTimeout ?? Duration.seconds(10);
  const slotWindow = timeout.toSeconds() - callTimeout.toSeconds() - INVOCATION_MARGIN_SECONDS;
  const booked = (maxConcurrency * batchSize) / props.rateLimitPerSecond;
  problems.check(
    booked <= slotWindow,
    'RateLimitedEgress.ConcurrencyAboveRate',
    `${maxConcurrency} environments × ${batchSize} records book ${booked.toFixed(1)} s of send slots at ${props.rateLimitPerSecond}/s, ` +
      `more than the ${Math.max(0, slotWindow)} s a delivery can wait (function timeout − call timeout − 1 s)`,
    'lower maxConcurrency or batchSize, or raise the delivery function timeout: records that get no slot in time go back to the queue and use up receives',
  );
  if (props.permanentStatuses) {
    const bad = props.permanentStatuses.filter((s) => !Number.isInteger(s) || s < 400 || s > 499 || s === 429);
    problems.check(bad.length === 0, 'RateLimitedEgress.PermanentStatuses', `permanentStatuses ${bad.join(', ')} are not 4xx statuses other than 429`,
      'list only 4xx statuses no retry can fix (429 means "slow down" and is always retried)');
  }
  const tolerances = props.startTolerance?.toMilliseconds() ?? RATE_LIMITED_EGRESS_DEFAULTS.startToleranceMs;
  problems.check(tolerances >= 0 && tolerances <= 1_000, 'RateLimitedEgress.StartTolerance', `startTolerance ${tolerances} ms is outside 0..1000 ms`,
    'use a few tens of milliseconds (the schedule runs at 1 / (1 + tolerance) of the limit)');
  problems.check(
    props.circuitBreaker === undefined || props.circuitBreakerProps === undefined,
    'RateLimitedEgress.BreakerTwice',
    'both circuitBreaker and circuitBreakerProps were given',
    'pass one: an existing breaker, or the settings of a new one',
  );
}
