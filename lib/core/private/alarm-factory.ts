import { Duration } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { QueueAlarmOptions } from '../alarms';

/** A threshold alarm: fires when `metric` reaches `threshold` in `evaluationPeriods` consecutive periods. */
export interface ThresholdAlarmProps {
  /** What the alarm means, for whoever is paged. */
  readonly description: string;
  /** The metric (period and statistic included). */
  readonly metric: cloudwatch.IMetric;
  /** The value that fires the alarm (metric ≥ threshold). */
  readonly threshold: number;
  /**
   * Consecutive periods at or above the threshold.
   * @default 1
   */
  readonly evaluationPeriods?: number;
}

/**
 * Messages visible in a queue, the most seen in each minute: what a dead-letter queue's alarm and `metricXxx()` methods
 * watch, so the metric a user alarms on is the one the construct's own alarm uses.
 */
export function visibleMessagesMetric(queue: sqs.IQueue, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum', ...props });
}

/** Age of the oldest message in a queue, seconds, the most seen in each minute. */
export function oldestMessageAgeMetric(queue: sqs.IQueue, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return queue.metricApproximateAgeOfOldestMessage({ period: Duration.minutes(1), statistic: 'Maximum', ...props });
}

/** Errors of a function, summed over 5 minutes. */
export function functionErrorsMetric(fn: lambda.IFunction, props: cloudwatch.MetricOptions = {}): cloudwatch.Metric {
  return fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum', ...props });
}

/**
 * Creates the alarms a pattern owns, applies the shared action to each, and remembers them so the pattern can
 * expose them as a list.
 */
export class AlarmFactory {
  private readonly created: cloudwatch.Alarm[] = [];

  constructor(private readonly options: QueueAlarmOptions = {}) {}

  /** The action every alarm of the pattern runs, if any. */
  public get alarmAction(): cloudwatch.IAlarmAction | undefined {
    return this.options.alarmAction;
  }

  /** Every alarm created so far. */
  public get alarms(): cloudwatch.Alarm[] {
    return [...this.created];
  }

  /** Fires as soon as one message sits in a dead-letter queue: every message there is a lost business event. */
  public deadLetterQueueDepth(scope: Construct, id: string, queue: sqs.IQueue, what: string): cloudwatch.Alarm {
    return this.threshold(scope, id, {
      description: `${what} holds messages that could not be delivered or processed`,
      metric: visibleMessagesMetric(queue),
      threshold: 1,
    });
  }

  /** Fires when the consumer falls behind: the oldest message is older than `maxMessageAge` for 3 minutes. */
  public oldestMessageAge(scope: Construct, id: string, queue: sqs.IQueue, what: string): cloudwatch.Alarm {
    const maxAge = this.options.maxMessageAge ?? Duration.minutes(5);
    return this.threshold(scope, id, {
      description: `${what}: oldest message older than ${maxAge.toHumanString()} (consumer falling behind)`,
      metric: oldestMessageAgeMetric(queue),
      threshold: maxAge.toSeconds(),
      evaluationPeriods: 3,
    });
  }

  /** Fires on any function error in a 5-minute period. */
  public functionErrors(scope: Construct, id: string, fn: lambda.IFunction, what: string): cloudwatch.Alarm {
    return this.threshold(scope, id, {
      description: `${what}: function errors`,
      metric: functionErrorsMetric(fn),
      threshold: 1,
    });
  }

  /** Lists an alarm another construct created (e.g. a function's on-failure alarm) among this pattern's alarms. */
  public adopt(alarm: cloudwatch.Alarm): cloudwatch.Alarm {
    this.created.push(alarm);
    return alarm;
  }

  /** Any metric at or above a threshold; missing data (no traffic) is not an alarm. */
  public threshold(scope: Construct, id: string, props: ThresholdAlarmProps): cloudwatch.Alarm {
    return this.create(scope, id, props, cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD, cloudwatch.TreatMissingData.NOT_BREACHING);
  }

  /** A health metric below a threshold; missing data is an alarm too (the metric's source stopped reporting). */
  public belowThreshold(scope: Construct, id: string, props: ThresholdAlarmProps): cloudwatch.Alarm {
    return this.create(scope, id, props, cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD, cloudwatch.TreatMissingData.BREACHING);
  }

  private create(
    scope: Construct,
    id: string,
    props: ThresholdAlarmProps,
    comparisonOperator: cloudwatch.ComparisonOperator,
    treatMissingData: cloudwatch.TreatMissingData,
  ): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(scope, id, {
      // CloudWatch allows 1,024 characters; descriptions name construct ids, which can be long.
      alarmDescription: props.description.slice(0, 1024),
      metric: props.metric,
      threshold: props.threshold,
      evaluationPeriods: props.evaluationPeriods ?? 1,
      comparisonOperator,
      treatMissingData,
    });
    if (this.options.alarmAction) {
      alarm.addAlarmAction(this.options.alarmAction);
      alarm.addOkAction(this.options.alarmAction);
    }
    this.created.push(alarm);
    return alarm;
  }
}
