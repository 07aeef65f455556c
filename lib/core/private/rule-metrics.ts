import { Duration, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';

/**
 * A metric of an EventBridge rule (`FailedInvocations`, `InvocationsFailedToBeSentToDlq`...), 5-minute sums.
 * EventBridge publishes rule metrics with only `RuleName` for the default bus, and with `EventBusName` and
 * `RuleName` for a custom bus: an alarm on the wrong dimensions never fires.
 */
export function ruleMetric(rule: events.IRule, bus: events.IEventBus | undefined, metricName: string): cloudwatch.Metric {
  const onDefaultBus = bus === undefined || (!Token.isUnresolved(bus.eventBusName) && bus.eventBusName === 'default');
  return new cloudwatch.Metric({
    namespace: 'AWS/Events',
    metricName,
    dimensionsMap: onDefaultBus ? { RuleName: rule.ruleName } : { EventBusName: bus.eventBusName, RuleName: rule.ruleName },
    period: Duration.minutes(5),
    statistic: 'Sum',
  });
}
