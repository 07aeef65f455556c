import { StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** What every example stack accepts besides its own settings. */
export interface ExampleStackProps extends StackProps {
  /**
   * Run when any alarm of the stack fires and when it recovers, e.g. `new cloudwatch_actions.SnsAction(opsTopic)`.
   * The sample app sets it from `-c alarmEmail=…` or `-c alarmTopicArn=…`.
   * @default - the alarms are created without actions
   */
  readonly alarmAction?: cloudwatch.IAlarmAction;
}
