import { Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';

/** The fields of an alarm resource that say which metric it watches. */
export interface WatchedMetric {
  readonly Namespace: unknown;
  readonly MetricName: unknown;
  readonly Dimensions: unknown;
  readonly Statistic: unknown;
  readonly Period: unknown;
}

/** What the alarm watches, as CloudFormation will create it (template field names). */
export function watchedMetric(stack: Stack, alarm: cloudwatch.IAlarm): WatchedMetric {
  // Resolved without synthesizing, so a test can keep adding alarms to the same app.
  const cfn = (alarm as cloudwatch.Alarm).node.defaultChild as cloudwatch.CfnAlarm;
  const dimensions = stack.resolve(cfn.dimensions) as { name: unknown; value: unknown }[] | undefined;
  return {
    Namespace: stack.resolve(cfn.namespace),
    MetricName: stack.resolve(cfn.metricName),
    Dimensions: dimensions?.map((d) => ({ Name: d.name, Value: d.value })),
    Statistic: stack.resolve(cfn.statistic),
    Period: stack.resolve(cfn.period),
  };
}

/** Alarms on `metric` as a user would (threshold 1), and returns what that alarm watches. */
export function userAlarmOn(stack: Stack, id: string, metric: cloudwatch.IMetric): WatchedMetric {
  const alarm = new cloudwatch.Alarm(stack, id, { metric, threshold: 1, evaluationPeriods: 1 });
  return watchedMetric(stack, alarm);
}

/** The construct alarm (from `alarms`) that watches metric `metricName` with a dimension referring to `refPrefix`. */
export function constructAlarm(stack: Stack, alarms: cloudwatch.IAlarm[], metricName: string, dimensionMatch: RegExp): cloudwatch.IAlarm {
  const found = alarms.filter((a) => {
    const w = watchedMetric(stack, a);
    return w.MetricName === metricName && dimensionMatch.test(JSON.stringify(w.Dimensions));
  });
  expect(found).toHaveLength(1);
  return found[0];
}
