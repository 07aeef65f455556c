import { Duration } from 'aws-cdk-lib';
import { FailureCounting, StoreFailureMode } from './contract';

/**
 * State-machine settings. They apply to every circuit of one CircuitBreaker construct and to every function it
 * protects: all environments must agree on when a circuit opens and closes.
 */
export interface CircuitBreakerSettings {
  /**
   * How a closed circuit decides to open: on a failure rate (`RATE`) or a number of failures (`WINDOW`), counted
   * fleet-wide within a window that starts at the first failure.
   * @default - FailureCounting.WINDOW when `failureThreshold` is given, else FailureCounting.RATE
   */
  readonly failureCounting?: FailureCounting;
  /**
   * `RATE` counting: the percentage of a window's calls that must fail to open the circuit (a whole number, 1 to 100).
   * @default 50
   */
  readonly failureRateThreshold?: number;
  /**
   * `RATE` counting: calls (fleet-wide) a window must hold before its failure rate is judged, so a few early failures
   * of a quiet circuit do not open it.
   * @default 20
   */
  readonly minimumCalls?: number;
  /**
   * `WINDOW` counting: failures within one window that open the circuit. Giving it selects `WINDOW` counting unless
   * `failureCounting` says otherwise.
   * @default 5
   */
  readonly failureThreshold?: number;
  /**
   * Length of a counting window. A window starts at the first failure while none is active; calls after it ends
   * count in the next one.
   * @default Duration.seconds(30)
   */
  readonly failureWindow?: Duration;
  /**
   * How long a circuit stays OPEN before one probe is allowed; doubled after each failed probe.
   * @default Duration.seconds(30)
   */
  readonly openTimeout?: Duration;
  /**
   * Cap of the doubled open timeout.
   * @default Duration.minutes(5)
   */
  readonly maxOpenTimeout?: Duration;
  /**
   * Successful probes that close a HALF_OPEN circuit.
   * @default 1
   */
  readonly successThreshold?: number;
  /**
   * Per guarded call timeout; a call that takes longer counts as a failure.
   * @default Duration.seconds(10)
   */
  readonly callTimeout?: Duration;
  /**
   * What a guarded call does when the table cannot be read.
   * @default StoreFailureMode.FAIL_OPEN
   */
  readonly storeFailureMode?: StoreFailureMode;
  /**
   * CloudWatch namespace of the transition metrics (embedded metric format).
   * @default 'ServerlessPatterns/CircuitBreaker'
   */
  readonly metricsNamespace?: string;
}
