/**
 * Structured JSON logs and CloudWatch Embedded Metric Format lines. Both go straight to the process streams: the
 * Lambda runtime's console patching would wrap an EMF line in its own JSON envelope and CloudWatch would no longer
 * extract the metric.
 */
import type { Environment } from './env';
import { CircuitState } from './types';
import { CIRCUIT_ID_DIMENSION, CircuitMetric } from '../../../lib/circuit-breaker/contract';

export { CIRCUIT_ID_DIMENSION, CircuitMetric } from '../../../lib/circuit-breaker/contract';

/** Log levels the breaker uses. */
export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

/** Receives one structured log entry. */
export interface CircuitBreakerLogger {
  /** Writes one entry; must not throw. */
  log(level: LogLevel, message: string, fields: Record<string, unknown>): void;
}

/** Writes each entry as one JSON line to stderr (WARN, ERROR) or stdout. */
export const jsonLineLogger: CircuitBreakerLogger = {
  log(level, message, fields) {
    const line = JSON.stringify({ level, timestamp: new Date().toISOString(), logger: 'circuit-breaker', message, ...fields });
    (level === 'WARN' || level === 'ERROR' ? process.stderr : process.stdout).write(`${line}\n`);
  },
};

/** Receives one EMF document (already a JSON string, no trailing newline). */
export type MetricSink = (line: string) => void;

/** Writes EMF lines to stdout, where the Lambda log agent extracts them. */
export const stdoutMetricSink: MetricSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** The levels Lambda's application log-level filter knows, from the most to the least detailed. */
const LAMBDA_LOG_LEVELS = ['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'];

/**
 * The `level` a metric line carries so that Lambda's log-level filter cannot drop it. With a JSON log format and an
 * application log level, Lambda drops JSON lines below that level and treats a line without a `level` as INFO, so
 * with WARN or ERROR an EMF line without one is dropped and no metric (and no alarm) ever appears. Lambda tells the
 * runtime the configured level in AWS_LAMBDA_LOG_LEVEL; a line at exactly that level always passes. Without it
 * (no filtering configured) INFO is used.
 * (AWS Lambda Developer Guide, "Log-level filtering":
 * https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-log-level.html)
 */
export function metricLogLevel(env: Environment = process.env): string {
  const configured = (env.AWS_LAMBDA_LOG_LEVEL ?? '').toUpperCase();
  return LAMBDA_LOG_LEVELS.includes(configured) ? configured : 'INFO';
}

/** The metric emitted when a circuit enters `to`. */
export function metricForTransition(to: CircuitState): CircuitMetric {
  switch (to) {
    case CircuitState.OPEN: return CircuitMetric.OPENED;
    case CircuitState.HALF_OPEN: return CircuitMetric.HALF_OPENED;
    case CircuitState.CLOSED: return CircuitMetric.CLOSED;
  }
}

/**
 * One EMF document counting a single event of `circuitId`, per circuit and (no dimensions) for the whole namespace,
 * so one alarm can watch every circuit. `fields` are searchable in Logs Insights but are not dimensions (that would
 * multiply metric streams).
 */
export function emfDocument(
  namespace: string, metric: CircuitMetric, circuitId: string, timestamp: number, fields: Record<string, unknown> = {}, level = metricLogLevel(),
): string {
  return JSON.stringify({
    level,
    ...fields,
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[CIRCUIT_ID_DIMENSION], []], Metrics: [{ Name: metric, Unit: 'Count' }] }],
    },
    [CIRCUIT_ID_DIMENSION]: circuitId,
    [metric]: 1,
  });
}
