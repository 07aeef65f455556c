/**
 * Active health checks: each configured endpoint is requested through the same CircuitBreaker a function uses, so
 * its result moves the shared circuit exactly as a real call would. While the circuit is OPEN the check is
 * rejected like any call; when the open period ends the checker competes in the probe election, which lets
 * synthetic traffic (rather than a user's request) be the probe.
 */
import type { HealthCheckSpec } from '../../lib/circuit-breaker/contract';
import { CircuitBreaker } from '../runtime/circuit-breaker/breaker';
import { CircuitOpenError } from '../runtime/circuit-breaker/errors';
import { GuardedCallContext } from '../runtime/circuit-breaker/guarded-call';
import { describeError } from '../runtime/circuit-breaker/state-source';

/** What one check found. */
export enum HealthCheckOutcome {
  /** The endpoint answered as expected. */
  HEALTHY = 'HEALTHY',
  /** The endpoint failed, answered an unexpected status or timed out; counted as a failure. */
  UNHEALTHY = 'UNHEALTHY',
  /** The circuit rejected the check (OPEN, or another probe in progress); nothing was requested. */
  SKIPPED = 'SKIPPED',
}

/** The result of one check. */
export interface HealthCheckResult {
  readonly circuitId: string;
  readonly url: string;
  readonly outcome: HealthCheckOutcome;
  /** Whether this check was the circuit's half-open probe. */
  readonly probe: boolean;
  readonly durationMs: number;
  /** HTTP status, when a response arrived. */
  readonly status?: number;
  /** Why the check was unhealthy or skipped. */
  readonly detail?: string;
}

/** A malformed CIRCUIT_BREAKER_HEALTH_CHECKS value. */
export class HealthCheckConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HealthCheckConfigError';
  }
}

/** An endpoint answered with a status other than the expected one. */
export class UnexpectedStatusError extends Error {
  constructor(public readonly status: number, expected: string) {
    super(`expected ${expected}, got HTTP ${status}`);
    this.name = 'UnexpectedStatusError';
  }
}

/** Parses and validates the JSON list of checks. */
export function parseHealthChecks(json: string | undefined): HealthCheckSpec[] {
  if (json === undefined || json.trim() === '') throw new HealthCheckConfigError('no health checks configured');
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw new HealthCheckConfigError(`health checks are not valid JSON: ${describeError(err).message}`);
  }
  if (!Array.isArray(value) || value.length === 0) throw new HealthCheckConfigError('health checks must be a non-empty JSON array');
  return value.map((entry, i) => {
    const where = `health check #${i}`;
    if (typeof entry !== 'object' || entry === null) throw new HealthCheckConfigError(`${where} is not an object`);
    const { url, circuitId, timeoutMs, expectStatus } = entry as Record<string, unknown>;
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) throw new HealthCheckConfigError(`${where}: url must be an http(s) URL, got ${JSON.stringify(url)}`);
    if (typeof circuitId !== 'string' || circuitId.length === 0) throw new HealthCheckConfigError(`${where}: circuitId must be a non-empty string`);
    if (typeof timeoutMs !== 'number' || !Number.isInteger(timeoutMs) || timeoutMs < 1) {
      throw new HealthCheckConfigError(`${where}: timeoutMs must be a positive integer, got ${JSON.stringify(timeoutMs)}`);
    }
    if (expectStatus !== undefined && (typeof expectStatus !== 'number' || !Number.isInteger(expectStatus) || expectStatus < 100 || expectStatus > 599)) {
      throw new HealthCheckConfigError(`${where}: expectStatus must be an HTTP status code, got ${JSON.stringify(expectStatus)}`);
    }
    return { url, circuitId, timeoutMs, ...(expectStatus !== undefined ? { expectStatus } : {}) };
  });
}

/**
 * Requests the endpoint once. Resolves with the status when it matches and the whole response (headers and body)
 * arrived within `timeoutMs`; rejects otherwise: a body that stalls or breaks off after the headers is unhealthy,
 * whatever the status said. Aborts after `timeoutMs` and whenever the breaker's own deadline aborts `context.signal`.
 */
export async function requestEndpoint(check: HealthCheckSpec, context: GuardedCallContext): Promise<number> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(`no response within ${check.timeoutMs} ms`)), check.timeoutMs);
  const onBreakerAbort = () => controller.abort(context.signal.reason);
  context.signal.addEventListener('abort', onBreakerAbort, { once: true });
  try {
    const res = await fetch(check.url, { method: 'GET', signal: controller.signal, redirect: 'manual', headers: { 'User-Agent': 'circuit-health-checker' } });
    // The response counts only once all of it arrived in time: an endpoint that sends its headers and then stalls
    // is not serving. Reading it also releases the connection before the environment freezes.
    await res.arrayBuffer();
    const healthy = check.expectStatus !== undefined ? res.status === check.expectStatus : res.status >= 200 && res.status < 300;
    if (!healthy) throw new UnexpectedStatusError(res.status, check.expectStatus !== undefined ? `HTTP ${check.expectStatus}` : 'a 2xx status');
    return res.status;
  } catch (err) {
    // fetch reports an abort as a generic AbortError; surface the reason (our timeout message) instead.
    if (controller.signal.aborted && controller.signal.reason instanceof Error) throw controller.signal.reason;
    throw err;
  } finally {
    clearTimeout(timer);
    context.signal.removeEventListener('abort', onBreakerAbort);
  }
}

/** Runs every check concurrently through `breaker` and reports each outcome. Never rejects because a check failed. */
export async function runHealthChecks(
  checks: readonly HealthCheckSpec[],
  breaker: CircuitBreaker,
  now: () => number = Date.now,
): Promise<HealthCheckResult[]> {
  return Promise.all(checks.map(async (check): Promise<HealthCheckResult> => {
    const started = now();
    let probe = false;
    const base = { circuitId: check.circuitId, url: check.url };
    try {
      const status = await breaker.call((context) => {
        probe = context.probe;
        return requestEndpoint(check, context);
      }, { circuitId: check.circuitId, callTimeoutMs: check.timeoutMs });
      return { ...base, outcome: HealthCheckOutcome.HEALTHY, probe, durationMs: now() - started, status };
    } catch (err) {
      if (CircuitOpenError.is(err)) {
        return { ...base, outcome: HealthCheckOutcome.SKIPPED, probe: false, durationMs: now() - started, detail: err.reason };
      }
      const status = err instanceof UnexpectedStatusError ? err.status : undefined;
      const detail = describeError(err).message;
      return { ...base, outcome: HealthCheckOutcome.UNHEALTHY, probe, durationMs: now() - started, detail, ...(status ? { status } : {}) };
    }
  }));
}
