/**
 * Scheduled handler that probes the endpoints in CIRCUIT_BREAKER_HEALTH_CHECKS and feeds each result into its
 * circuit. It returns a summary rather than throwing on unhealthy endpoints: a failed scheduled invoke would only
 * be retried, and the circuit already records the failure.
 */
import { HealthCheckOutcome, HealthCheckResult, parseHealthChecks, runHealthChecks } from './checks';
import type { HealthCheckSpec } from '../../lib/circuit-breaker/contract';
import { CircuitBreaker } from '../runtime/circuit-breaker/breaker';
import { CIRCUIT_BREAKER_ENV } from '../runtime/circuit-breaker/env';
import { jsonLineLogger } from '../runtime/circuit-breaker/telemetry';

let configured: { checks: HealthCheckSpec[]; breaker: CircuitBreaker } | undefined;

/** Summary returned by the handler. */
export interface HealthCheckSummary {
  readonly healthy: number;
  readonly unhealthy: number;
  readonly skipped: number;
  readonly results: HealthCheckResult[];
}

/** Lambda entry point (EventBridge Scheduler or a schedule rule; the event is ignored). */
export async function handler(): Promise<HealthCheckSummary> {
  // Built once per environment: config errors surface on the first invoke, and the client's sockets are reused.
  configured ??= { checks: parseHealthChecks(process.env[CIRCUIT_BREAKER_ENV.HEALTH_CHECKS]), breaker: new CircuitBreaker() };
  const results = await runHealthChecks(configured.checks, configured.breaker);
  const count = (outcome: HealthCheckOutcome) => results.filter((r) => r.outcome === outcome).length;
  const summary: HealthCheckSummary = {
    healthy: count(HealthCheckOutcome.HEALTHY),
    unhealthy: count(HealthCheckOutcome.UNHEALTHY),
    skipped: count(HealthCheckOutcome.SKIPPED),
    results,
  };
  jsonLineLogger.log(summary.unhealthy > 0 ? 'WARN' : 'INFO', 'health checks finished', { ...summary });
  return summary;
}
