/**
 * The pipe state check: one metric data point per pipe, 1 when it runs, 0 when it does not (stopped, failed,
 * disabled by the service, deleted). A pipe that cannot be read gets no data point, and the run fails: the alarm
 * treats missing data as breaching, so a check that stops working is noticed as well.
 */
import type { DescribePipe } from './describe-pipe';
import { PIPE_STATE } from '../../lib/core/contract';
import { metricLogLevel } from '../runtime/circuit-breaker/telemetry';

/** What one run found for one pipe. */
export interface PipeStateResult {
  readonly pipeName: string;
  readonly running: boolean;
  readonly currentState: string;
  readonly stateReason?: string;
}

/** One Embedded Metric Format document for a pipe's state (written straight to stdout, see telemetry.ts). */
export function pipeStateDocument(result: PipeStateResult, timestamp: number, level = metricLogLevel()): string {
  return JSON.stringify({
    level,
    message: `pipe ${result.pipeName} is ${result.currentState}`,
    currentState: result.currentState,
    ...(result.stateReason ? { stateReason: result.stateReason } : {}),
    _aws: {
      Timestamp: timestamp,
      CloudWatchMetrics: [{ Namespace: PIPE_STATE.namespace, Dimensions: [[PIPE_STATE.dimension]], Metrics: [{ Name: PIPE_STATE.metricName, Unit: 'Count' }] }],
    },
    [PIPE_STATE.dimension]: result.pipeName,
    [PIPE_STATE.metricName]: result.running ? 1 : 0,
  });
}

/** Reads every pipe, writes a data point for each one read, and throws (after writing the others) if any read failed. */
export async function checkPipes(
  pipeNames: readonly string[], describe: DescribePipe, write: (line: string) => void, now: () => number = Date.now,
): Promise<PipeStateResult[]> {
  const results: PipeStateResult[] = [];
  const failures: string[] = [];
  for (const pipeName of pipeNames) {
    try {
      const reading = await describe(pipeName);
      const result = { pipeName, running: (PIPE_STATE.runningStates as readonly string[]).includes(reading.currentState), ...reading };
      write(pipeStateDocument(result, now()));
      results.push(result);
    } catch (error) {
      failures.push(`${pipeName}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  if (failures.length > 0) throw new Error(`pipe state check could not read ${failures.join('; ')}`);
  return results;
}
