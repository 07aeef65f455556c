/**
 * The one contract between the core constructs and their handlers: names and values both sides use. It imports
 * nothing, so it compiles into both the jsii library and the handler bundles.
 */

/**
 * The pipe state check. Pipes publishes no state metric and no state-change event: a pipe the service disabled
 * (nearly continuous 4xx errors: "the pipe can be automatically disabled with an explanatory message in the
 * StateReason", https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-error-troubleshooting.html) simply
 * stops invoking, and its failure metrics fall silent. A scheduled function reads each pipe's `CurrentState` with
 * DescribePipe (https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_Pipe.html) and emits a metric.
 */
export const PIPE_STATE = {
  /** Environment variable of the checker: the JSON array of pipe names it describes. */
  pipeNamesEnv: 'PIPE_STATE_PIPE_NAMES',
  /** CloudWatch namespace of the metric. */
  namespace: 'CdkServerlessPatterns/Pipes',
  /** 1 when the pipe runs (or is being created, updated or started by a deployment), else 0. */
  metricName: 'PipeRunning',
  /** The metric's dimension. */
  dimension: 'PipeName',
  /**
   * States that count as running: RUNNING, and the transitions a deployment passes through. STOPPED, STOPPING,
   * DELETING and every *_FAILED state do not.
   */
  runningStates: ['RUNNING', 'CREATING', 'UPDATING', 'STARTING'],
  /** How often the checker runs, minutes. */
  checkIntervalMinutes: 5,
} as const;
