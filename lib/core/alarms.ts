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
  /**
   * Age of the oldest message in a work queue above which the backlog alarm fires.
   * @default Duration.minutes(5)
   */
  readonly maxMessageAge?: Duration;
}

