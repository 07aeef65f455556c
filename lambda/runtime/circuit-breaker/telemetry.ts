/**
 * Structured JSON logs and CloudWatch Embedded Metric Format lines. Both go straight to the process streams: the
 * Lambda runtime's console patching would wrap an EMF line in its own JSON envelope and CloudWatch would no longer
 * extract the metric.
 */
import { CircuitState } from './types';

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

/** Metric names, one per transition kind. */
export enum CircuitMetric {
  /** CLOSED → OPEN, or a failed probe sending HALF_OPEN → OPEN. */
  OPENED = 'CircuitOpened',
  /** OPEN → HALF_OPEN: a prober was elected. */
  HALF_OPENED = 'CircuitHalfOpened',
  /** HALF_OPEN → CLOSED. */
  CLOSED = 'CircuitClosed',
}

/** Dimension name carrying the circuit id. */
export const CIRCUIT_ID_DIMENSION = 'CircuitId';

/** Receives one EMF document (already a JSON string, no trailing newline). */
export type MetricSink = (line: string) => void;

/** Writes EMF lines to stdout, where the Lambda log agent extracts them. */
export const stdoutMetricSink: MetricSink = (line) => {
  process.stdout.write(`${line}\n`);
};

/** The metric emitted when a circuit enters `to`. */
export function metricForTransition(to: CircuitState): CircuitMetric {
  switch (to) {
    case CircuitState.OPEN: return CircuitMetric.OPENED;
    case CircuitState.HALF_OPEN: return CircuitMetric.HALF_OPENED;
    case CircuitState.CLOSED: return CircuitMetric.CLOSED;
  }
}

/** One EMF document counting a single transition of `circuitId`. */
export function emfDocument(namespace: string, metric: CircuitMetric, circuitId: string, timestamp: number, from: CircuitState): string {
  return JSON.stringify({
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: namespace, Dimensions: [[CIRCUIT_ID_DIMENSION]], Metrics: [{ Name: metric, Unit: 'Count' }] }],
    },
    [CIRCUIT_ID_DIMENSION]: circuitId,
    // Not a dimension (that would multiply metric streams), but searchable in Logs Insights.
    fromState: from,
    [metric]: 1,
  });
}
