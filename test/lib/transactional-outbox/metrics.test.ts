import { CfnElement } from 'aws-cdk-lib';
import { TransactionalOutbox } from '../../../lib';
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
});
