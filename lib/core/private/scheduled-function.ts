import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { AlarmFactory } from './alarm-factory';
import { ruleMetric } from './rule-metrics';
import { PatternFunction } from '../pattern-function';
import { SecureQueue } from '../secure-queue';

/** A schedule running a function, and where the events it could not deliver go. */
export interface FunctionSchedule {
  readonly rule: events.Rule;
  readonly deadLetterQueue: sqs.IQueue;
}

/** What a scheduled function is for, in the words of its rule and alarms. */
export interface ScheduleDescriptions {
  /** The rule's description. */
  readonly rule: string;
  /** What the schedule's dead-letter queue is, for its alarm. */
  readonly deadLetterQueue: string;
  /** What it means when EventBridge fails to invoke the function, for the `FailedInvocations` alarm. */
  readonly notRunning: string;
}

/**
 * Runs `fn` (a PatternFunction with `invokedAsynchronously`) every `interval`, so that it cannot stop silently: a
 * schedule event EventBridge cannot hand to Lambda (its invoke permission missing, the function deleted) lands in a
 * dead-letter queue instead of vanishing (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
 * A throttled function is not such a case: Lambda accepts the event into its asynchronous queue, where the function's
 * own maxEventAge and on-failure queue apply, and `alarms` gets alarms on the function's on-failure queue, on that
 * dead-letter queue and on the rule's `FailedInvocations`. Construct ids are `<prefix>Schedule...`.
 */
export function scheduleFunction(
  scope: Construct, prefix: string, fn: PatternFunction, interval: Duration, descriptions: ScheduleDescriptions, alarms: AlarmFactory,
): FunctionSchedule {
  const rule = new events.Rule(scope, `${prefix}Schedule`, { schedule: events.Schedule.rate(interval), description: descriptions.rule });
  const deadLetterQueue = new SecureQueue(scope, `${prefix}ScheduleDeadLetterQueue`, { isDeadLetterQueueOnly: true }).queue;
  // A run that failed is replaced by the next one; retrying it would only add stale results.
  rule.addTarget(new targets.LambdaFunction(fn, { retryAttempts: 0, maxEventAge: Duration.minutes(2), deadLetterQueue }));
  // invokedAsynchronously always creates the on-failure queue and its alarm.
  if (fn.onFailureAlarm) alarms.adopt(fn.onFailureAlarm as cloudwatch.Alarm);
  alarms.deadLetterQueueDepth(scope, `${prefix}ScheduleDeadLetterAlarm`, deadLetterQueue, descriptions.deadLetterQueue);
  alarms.threshold(scope, `${prefix}ScheduleFailedAlarm`, {
    description: descriptions.notRunning,
    metric: ruleMetric(rule, undefined, 'FailedInvocations'),
    threshold: 1,
  });
  return { rule, deadLetterQueue };
}
