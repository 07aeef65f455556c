import { Duration } from 'aws-cdk-lib';
import { FailureCounting, StoreFailureMode } from './contract';

/**
 * State-machine settings. They apply to every circuit of one CircuitBreaker construct and to every function it
 * protects: all environments must agree on when a circuit opens and closes.
 */
export interface CircuitBreakerSettings {
  /**
   * Failures that open a circuit.
   * @default 5
   */
  readonly failureThreshold?: number;
  /**
   * How failures are counted.
   * @default FailureCounting.CONSECUTIVE
   */
  readonly failureCounting?: FailureCounting;
  /**
   * The window for `FailureCounting.WINDOW`.
   * @default Duration.minutes(1)
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
