import { Duration } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { IConstruct } from 'constructs';
import { SharedSlot } from '../../core/private/app-registry';
import { checkMetricNamespace } from '../../core/private/names';
import { Problems } from '../../core/private/validation';
import { LAMBDA_DEFAULT_TIMEOUT } from '../../core/private/visibility';
import type { HealthCheck, ProtectOptions } from '../circuit-breaker';
import {
  callPathStoreBudgetMs, CIRCUIT_BREAKER_DEFAULTS, CIRCUIT_BREAKER_LIMITS, defaultFailureCounting, FailureCounting, StoreFailureMode,
} from '../contract';
import type { CircuitBreakerSettings } from '../settings';


/**
 * How much longer than its call timeout a protected function must be allowed to run. Around the guarded function a
 * call spends at most one store budget reading state before it and one counting the outcome after it (the store
 * timeout, 1 s by default, each): Lambda kills the invocation at its own timeout, so a function allowed less than
 * `callTimeout` + both budgets can end before a hanging call is counted, and a hanging dependency then never opens
 * the circuit. A call that starts late in an invocation needs more, which synth cannot know.
 */
export const CALL_TIMEOUT_MARGIN_MS = callPathStoreBudgetMs();

/**
 * Which CircuitBreaker protects each function, across every construct of the app (kept on the function object, so nothing
 * outlives its app and every copy of this library sees it). A second breaker would add a second extension layer and overwrite the first one's table,
 * circuit ids and settings in the function's environment.
 */
const protector = new SharedSlot<string>('circuitBreakerProtector');

/**
 * Rejects at synth every setting the runtime client would reject at cold start (resolveCircuitBreakerConfig in
 * lambda/runtime/circuit-breaker/config.ts), and a few it would accept but that guard nothing useful.
 */
export function validateSettings(problems: Problems, s: CircuitBreakerSettings): void {
  const counts = [['failureThreshold', s.failureThreshold], ['successThreshold', s.successThreshold], ['minimumCalls', s.minimumCalls]] as const;
  for (const [name, value] of counts) {
    if (value === undefined) continue;
    problems.check(Number.isInteger(value) && value >= 1, 'CircuitBreaker.CountNotPositive', `${name} ${value} is not a positive integer`, 'use an integer ≥ 1');
    problems.check(
      value <= CIRCUIT_BREAKER_LIMITS.maxInteger, 'CircuitBreaker.CountTooLarge',
      `${name} ${value} is above ${CIRCUIT_BREAKER_LIMITS.maxInteger}, the largest integer the runtime reads`,
      'use a smaller integer',
    );
  }
  const rate = s.failureRateThreshold;
  if (rate !== undefined) {
    const { failureRateMinPercent: min, failureRateMaxPercent: max } = CIRCUIT_BREAKER_LIMITS;
    problems.check(
      Number.isInteger(rate) && rate >= min && rate <= max, 'CircuitBreaker.FailureRate',
      `failureRateThreshold ${rate} is not a whole percentage from ${min} to ${max}`,
      `use an integer from ${min} to ${max} (percent of a window's calls)`,
    );
  }
  validateEnum(problems, 'failureCounting', s.failureCounting, Object.values(FailureCounting));
  validateEnum(problems, 'storeFailureMode', s.storeFailureMode, Object.values(StoreFailureMode));
  validateCountingSettings(problems, s);

  const open = millisOf(problems, 'openTimeout', s.openTimeout) ?? CIRCUIT_BREAKER_DEFAULTS.openTimeoutMs;
  const maxOpen = millisOf(problems, 'maxOpenTimeout', s.maxOpenTimeout) ?? CIRCUIT_BREAKER_DEFAULTS.maxOpenTimeoutMs;
  const window = millisOf(problems, 'failureWindow', s.failureWindow);
  const call = millisOf(problems, 'callTimeout', s.callTimeout) ?? CIRCUIT_BREAKER_DEFAULTS.callTimeoutMs;
  problems.check(open >= 1000, 'CircuitBreaker.OpenTimeoutTooShort', `openTimeout ${open} ms is under one second`, 'use at least 1 second: shorter only adds probes');
  problems.check(
    maxOpen >= open, 'CircuitBreaker.MaxOpenBelowOpen',
    `maxOpenTimeout (${maxOpen} ms) is shorter than openTimeout (${open} ms)`,
    'make maxOpenTimeout at least openTimeout: it caps the doubled open period',
  );
  if (window !== undefined) {
    problems.check(window >= 1, 'CircuitBreaker.ZeroWindow', 'failureWindow is zero', 'use a positive window: failures are counted within it');
    const flush = CIRCUIT_BREAKER_DEFAULTS.tallyFlushIntervalMs;
    problems.check(
      window > flush || countingOf(s) !== FailureCounting.RATE, 'CircuitBreaker.WindowWithinFlushInterval',
      `failureWindow ${window} ms is not longer than the ${flush} ms at which environments report their calls`,
      `use a failureWindow above ${flush} ms: a shorter window ends before its calls are reported, so its rate is never judged`,
    );
  }
  // The runtime allows 0 (no timeout), but then a hanging dependency would never count as a failure.
  problems.check(call >= 1, 'CircuitBreaker.ZeroCallTimeout', 'callTimeout is zero', 'use a positive call timeout');

  // The construct leaves the probe lease and the record TTL at their runtime defaults. The runtime requires the TTL to
  // outlast the longest open period plus a lease: DynamoDB TTL deleting an OPEN item would silently close it.
  const lease = call + CIRCUIT_BREAKER_DEFAULTS.probeLeaseExtraMs;
  const ttl = Duration.seconds(CIRCUIT_BREAKER_DEFAULTS.recordTtlSeconds);
  problems.check(
    maxOpen + lease < ttl.toMilliseconds(), 'CircuitBreaker.OpenOutlastsTtl',
    `maxOpenTimeout (${maxOpen} ms) plus the probe lease (callTimeout + ${CIRCUIT_BREAKER_DEFAULTS.probeLeaseExtraMs} ms = ${lease} ms) ` +
      `is not below the ${ttl.toHumanString()} (${ttl.toMilliseconds()} ms) after which a circuit item expires`,
    `lower maxOpenTimeout or callTimeout so that maxOpenTimeout + callTimeout stays below ${ttl.toMilliseconds() - CIRCUIT_BREAKER_DEFAULTS.probeLeaseExtraMs} ms: ` +
      'DynamoDB TTL deleting an OPEN circuit would silently close it, so the runtime refuses to start',
  );

  // The transition metrics are written with EMF and watched by the opened-circuit alarm: the namespace must suit both.
  checkMetricNamespace(problems, 'CircuitBreaker', 'metricsNamespace', s.metricsNamespace);
}

/**
 * Settings of one counting rule given with the other rule selected would be ignored; the runtime refuses them too.
 * The counting in force is the explicit one, else the same default the runtime derives.
 */
function validateCountingSettings(problems: Problems, s: CircuitBreakerSettings): void {
  const counting = countingOf(s);
  const misplaced: Array<[string, unknown, FailureCounting]> = [
    ['failureThreshold', s.failureThreshold, FailureCounting.WINDOW],
    ['failureRateThreshold', s.failureRateThreshold, FailureCounting.RATE],
    ['minimumCalls', s.minimumCalls, FailureCounting.RATE],
  ];
  for (const [name, value, usedBy] of misplaced) {
    problems.check(
      value === undefined || counting === usedBy, 'CircuitBreaker.SettingOfOtherCounting',
      `${name} applies to FailureCounting.${usedBy}, but the circuit counts with FailureCounting.${counting}`,
      `drop ${name}, or pass failureCounting: FailureCounting.${usedBy}`,
    );
  }
}

function countingOf(s: CircuitBreakerSettings): FailureCounting {
  return s.failureCounting ?? defaultFailureCounting(s.failureThreshold !== undefined);
}

/** The duration in milliseconds (undefined when not given); the runtime reads whole milliseconds up to 2^53 - 1. */
function millisOf(problems: Problems, name: string, d: Duration | undefined): number | undefined {
  if (d === undefined) return undefined;
  const ms = d.toMilliseconds({ integral: false });
  problems.check(Number.isInteger(ms), 'CircuitBreaker.FractionalMillis', `${name} ${d.toHumanString()} is not a whole number of milliseconds`, 'use whole milliseconds');
  problems.check(ms <= CIRCUIT_BREAKER_LIMITS.maxInteger, 'CircuitBreaker.DurationTooLong', `${name} ${d.toHumanString()} is too long for the runtime`, `use at most ${CIRCUIT_BREAKER_LIMITS.maxInteger} ms`);
  return ms;
}

function validateEnum(problems: Problems, name: string, value: string | undefined, allowed: string[]): void {
  problems.check(
    value === undefined || allowed.includes(value), 'CircuitBreaker.EnumValue',
    `${name} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`,
    `pass one of ${allowed.join(', ')}`,
  );
}

export function validateCircuitIds(problems: Problems, circuitIds: string[]): void {
  problems.check(circuitIds.length > 0, 'CircuitBreaker.NoCircuitIds', 'no circuit ids were given', 'pass the ids of the dependencies the function guards');
  for (const id of circuitIds) {
    problems.check(
      CIRCUIT_BREAKER_LIMITS.circuitIdPattern.test(id), 'CircuitBreaker.CircuitId',
      `circuit id "${id}" is not valid`,
      'use 1 to 128 letters, digits, and _ . : - (the ids travel in a comma-separated environment variable)',
    );
  }
}

/** What {@link validateProtect} needs to know about the breaker. */
export interface ProtectingBreaker {
  /** The extension layer the function will get. */
  readonly extensionLayer: lambda.LayerVersion;
  /** The breaker's per-call timeout in milliseconds (the setting or the runtime default). */
  readonly callTimeoutMs: number;
}

export function validateProtect(problems: Problems, fn: lambda.IFunction, options: ProtectOptions, breaker: ProtectingBreaker): void {
  const owned = problems.check(
    fn instanceof lambda.Function, 'CircuitBreaker.ImportedFunction',
    `function ${fn.node.path} is imported, so the extension layer and environment cannot be added`,
    'protect a function defined in this app, or configure the layer and environment on it yourself',
  );
  validateCircuitIds(problems, options.circuitIds);
  if (!owned) return;
  const f = fn as lambda.Function;
  const node = problems.check(
    f.runtime.family === lambda.RuntimeFamily.NODEJS, 'CircuitBreaker.NonNodeRuntime',
    `function ${fn.node.path} runs ${f.runtime.name}; the runtime client and extension are for Node.js`,
    'use a Node.js runtime for protected functions',
  );
  // Checked here so that the only error left for addLayers is the five-layer limit.
  const supported = breaker.extensionLayer.compatibleRuntimes;
  if (node && supported !== undefined) {
    const names = supported.map((r) => r.name).join(', ');
    problems.check(
      supported.some((r) => r.runtimeEquals(f.runtime)), 'CircuitBreaker.UnsupportedRuntime',
      `function ${fn.node.path} runs ${f.runtime.name}, which the extension layer does not support (it supports ${names})`,
      `move the function to one of ${names}`,
    );
  }
  const owner = protector.get(fn);
  problems.check(
    owner === undefined, 'CircuitBreaker.AlreadyProtected',
    `function ${fn.node.path} is already protected by ${owner}`,
    'protect each function once, from one CircuitBreaker, listing all its circuit ids in that protect call ' +
      '(one CircuitBreaker holds any number of circuits: move circuits guarded by two breakers into one)',
  );
  problems.check(
    new Set(options.circuitIds).size === options.circuitIds.length, 'CircuitBreaker.DuplicateCircuitId',
    `circuit ids ${options.circuitIds.join(', ')} contain a duplicate`,
    'list each circuit once',
  );
  validateCallFitsFunction(problems, f, breaker.callTimeoutMs, 'callTimeout');
}

/** Records that `scope` (a CircuitBreaker) protects `fn`, so no breaker protects it again. */
export function recordProtection(scope: IConstruct, fn: lambda.IFunction): void {
  protector.set(fn, scope.node.path);
}

/**
 * A guarded call must end {@link CALL_TIMEOUT_MARGIN_MS} before the function times out, or the breaker cannot count
 * a call that hangs. `callName` names the setting that bounds the call.
 */
export function validateCallFitsFunction(problems: Problems, fn: lambda.Function, callTimeoutMs: number, callName: string): void {
  const timeout = fn.timeout ?? LAMBDA_DEFAULT_TIMEOUT;
  if (timeout.isUnresolved()) return;
  const fnMs = timeout.toMilliseconds({ integral: false });
  const human = (ms: number) => Duration.millis(ms).toHumanString();
  const lower = fnMs - CALL_TIMEOUT_MARGIN_MS;
  problems.check(
    callTimeoutMs + CALL_TIMEOUT_MARGIN_MS <= fnMs, 'CircuitBreaker.CallTimeoutExceedsFunction',
    `function ${fn.node.path} times out after ${human(fnMs)}${fn.timeout ? '' : ' (the Lambda default)'}, but ${callName} is ` +
      `${human(callTimeoutMs)}: Lambda ends the invocation before the breaker can count a call that hangs, so a hanging ` +
      'dependency never opens the circuit',
    `raise the function's timeout to at least ${human(callTimeoutMs + CALL_TIMEOUT_MARGIN_MS)} ` +
      `(${callName} plus ${human(CALL_TIMEOUT_MARGIN_MS)}: a store budget to read the state before the call and one to record ` +
      'the failure after it)' +
      (lower >= 1 ? `, or lower ${callName} to at most ${human(lower)}` : ''),
  );
}

export function validateHealthChecks(problems: Problems, checks: HealthCheck[], interval?: Duration): void {
  problems.check(
    interval === undefined || checks.length > 0, 'CircuitBreaker.IntervalWithoutChecks',
    'healthCheckInterval was given without healthChecks, so no health checker is created',
    'add healthChecks, or drop healthCheckInterval',
  );
  for (const c of checks) {
    problems.check(/^https?:\/\/[^\s]+$/.test(c.url), 'CircuitBreaker.HealthCheckUrl', `health check URL "${c.url}" is not http(s)`, 'use an http:// or https:// URL');
    const timeout = c.timeout?.toMilliseconds({ integral: false }) ?? CIRCUIT_BREAKER_DEFAULTS.healthCheckTimeoutMs;
    problems.check(
      timeout >= CIRCUIT_BREAKER_LIMITS.healthCheckTimeoutMinMs && timeout <= CIRCUIT_BREAKER_LIMITS.healthCheckTimeoutMaxMs,
      'CircuitBreaker.HealthCheckTimeout',
      `health check timeout ${timeout} ms for ${c.url} is outside 100 ms..60 s`,
      'use a timeout between 100 ms and 60 seconds',
    );
    problems.check(Number.isInteger(timeout), 'CircuitBreaker.HealthCheckFractionalTimeout', `health check timeout ${timeout} ms for ${c.url} is not whole milliseconds`, 'use whole milliseconds');
    if (c.expectStatus !== undefined) {
      // The health checker refuses to start on anything else.
      problems.check(
        Number.isInteger(c.expectStatus) && c.expectStatus >= 100 && c.expectStatus <= 599, 'CircuitBreaker.HealthCheckStatus',
        `health check expectStatus ${c.expectStatus} for ${c.url} is not an HTTP status code`,
        'use an integer from 100 to 599, or omit expectStatus to accept any 2xx',
      );
    }
  }
  if (checks.length > 0) validateCircuitIds(problems, checks.map((c) => c.circuitId));
  if (interval) {
    problems.check(
      interval.toSeconds() >= 60 && interval.toSeconds() % 60 === 0, 'CircuitBreaker.HealthCheckInterval',
      `healthCheckInterval ${interval.toHumanString()} is not a whole number of minutes ≥ 1`,
      'EventBridge schedules run at most once a minute: use whole minutes',
    );
  }
}
