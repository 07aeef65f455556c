import { CfnElement } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { TransactionalOutbox } from '../../../lib';
import { OUTBOX_MALFORMED } from '../../../lib/transactional-outbox/contract';
import { newStack } from '../../support/cdk';
import { constructAlarm, userAlarmOn, watchedMetric } from '../../support/metrics';

describe('TransactionalOutbox metrics', () => {
  const stack = newStack();
  const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: 'com.example.orders' });
  const pipeId = stack.getLogicalId(outbox.pipe);

  test('pipe execution failed: a user alarm watches this pipe, as the construct\'s pipe alarm does', () => {
    const mine = userAlarmOn(stack, 'MyPipeAlarm', outbox.metricPipeExecutionFailed());
    expect(mine).toEqual({
      Namespace: 'AWS/EventBridge/Pipes',
      MetricName: 'ExecutionFailed',
      Dimensions: [{ Name: 'PipeName', Value: { Ref: pipeId } }],
      Statistic: 'Sum',
      Period: 300,
    });
    expect(watchedMetric(stack, constructAlarm(stack, outbox.alarms, 'ExecutionFailed', new RegExp(pipeId)))).toEqual(mine);
  });

  test('dead-letter depth of the pipe\'s dead-letter queue', () => {
    const dlqId = stack.getLogicalId(outbox.deadLetterQueue.node.defaultChild as CfnElement);
    const mine = userAlarmOn(stack, 'MyDlqAlarm', outbox.metricDeadLetterQueueDepth());
    expect(mine.Dimensions).toEqual([{ Name: 'QueueName', Value: { 'Fn::GetAtt': [dlqId, 'QueueName'] } }]);
    expect(watchedMetric(stack, constructAlarm(stack, outbox.alarms, 'ApproximateNumberOfMessagesVisible', new RegExp(dlqId)))).toEqual(mine);
  });

  test('malformed images set aside: the EMF metric of this outbox\'s enrichment, which the construct alarms on at 1', () => {
    const fnId = stack.getLogicalId(outbox.enrichment.node.defaultChild as CfnElement);
    const mine = userAlarmOn(stack, 'MyMalformedAlarm', outbox.metricMalformedImages());
    expect(mine).toEqual({
      Namespace: OUTBOX_MALFORMED.metricsNamespace,
      MetricName: OUTBOX_MALFORMED.metricName,
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId } }],
      Statistic: 'Sum',
      Period: 300,
    });
    const alarm = constructAlarm(stack, outbox.alarms, OUTBOX_MALFORMED.metricName, new RegExp(fnId));
    expect(watchedMetric(stack, alarm)).toEqual(mine);
    const cfn = (alarm as cloudwatch.Alarm).node.defaultChild as cloudwatch.CfnAlarm;
    expect([cfn.threshold, cfn.comparisonOperator, cfn.treatMissingData]).toEqual([1, 'GreaterThanOrEqualToThreshold', 'notBreaching']);
  });
});
