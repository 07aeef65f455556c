import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** Alarm options every pattern accepts. */
export interface PatternAlarmOptions {
  /**
   * Action run when any alarm of the pattern fires (and when it recovers), e.g.
   * `new cloudwatch_actions.SnsAction(opsTopic)`.
   * @default - alarms are created without actions; wire them to your own dashboards or actions
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}

/**
 * Alarm options of the patterns that own a work queue (FifoFanout, BufferedEventConsumer, TransactionalOutbox with a
 * queue target). Patterns without a work queue do not accept `maxMessageAge`: an option that does nothing must not
 * exist.
 */
export interface QueueAlarmOptions extends PatternAlarmOptions {
  /**
   * Age of the oldest message in a work queue above which the backlog alarm fires.
   * @default Duration.minutes(5)
   */
  readonly maxMessageAge?: Duration;
}
