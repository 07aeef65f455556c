/**
 * Both pipes the library makes (the outbox pipe, BufferedEventConsumer's FIFO ingest pipe) get a state alarm: a
 * scheduled check reads the pipe's state and the alarm fires on "not running" and on missing readings.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sns from 'aws-cdk-lib/aws-sns';
import { BufferedEventConsumer, TransactionalOutbox } from '../../../lib';
import { INLINE_CODE, newStack } from '../../support/cdk';
import { constructAlarm, userAlarmOn, watchedMetric } from '../../support/metrics';

function expectStateWatch(stack: Stack, pipe: pipes.CfnPipe, alarms: cloudwatch.IAlarm[], metric: cloudwatch.IMetric, topic: sns.Topic) {
  const pipeId = stack.getLogicalId(pipe);
  const t = Template.fromStack(stack);
  // The alarm: lowest reading in 10 minutes below 1, or no reading at all.
  const alarm = constructAlarm(stack, alarms, 'PipeRunning', new RegExp(pipeId));
  const cfn = (alarm as cloudwatch.Alarm).node.defaultChild as cloudwatch.CfnAlarm;
  expect(stack.resolve(cfn.comparisonOperator)).toBe('LessThanThreshold');
  expect(cfn.threshold).toBe(1);
  expect(cfn.treatMissingData).toBe('breaching');
  expect(stack.resolve(cfn.alarmActions)).toEqual([{ Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) }]);
  const mine = userAlarmOn(stack, `Mine${pipeId}`, metric);
  expect(mine).toEqual({
    Namespace: 'CdkServerlessPatterns/Pipes',
    MetricName: 'PipeRunning',
    Dimensions: [{ Name: 'PipeName', Value: { Ref: pipeId } }],
    Statistic: 'Minimum',
    Period: 600,
  });
  expect(watchedMetric(stack, alarm)).toEqual(mine);

  // The checker reads exactly this pipe, and may describe only it.
  const checkers = t.findResources('AWS::Lambda::Function', { Properties: { Environment: { Variables: { PIPE_STATE_PIPE_NAMES: { 'Fn::Join': ['', ['["', { Ref: pipeId }, '"]']] } } } } });
  expect(Object.keys(checkers)).toHaveLength(1);
  const policies = Object.values(t.findResources('AWS::IAM::Policy')).flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => JSON.stringify(s.Action).includes('pipes:'));
  expect(policies).toEqual([{ Action: 'pipes:DescribePipe', Effect: 'Allow', Resource: { 'Fn::GetAtt': [pipeId, 'Arn'] } }]);
  // Every 5 minutes, with a dead-letter queue for schedule events EventBridge cannot deliver.
  const [checkerId] = Object.keys(checkers);
  const schedules = Object.values(t.findResources('AWS::Events::Rule', { Properties: { ScheduleExpression: 'rate(5 minutes)' } }))
    .filter((r: any) => JSON.stringify(r.Properties.Targets).includes(checkerId));
  expect(schedules).toHaveLength(1);
  expect((schedules[0] as any).Properties.Targets[0].DeadLetterConfig).toBeDefined();
}

test('the outbox pipe', () => {
  const stack = newStack();
  const topic = new sns.Topic(stack, 'Ops');
  const outbox = new TransactionalOutbox(stack, 'Outbox', { eventSource: 'com.example.orders', alarmAction: new actions.SnsAction(topic) });
  expectStateWatch(stack, outbox.pipe, outbox.alarms, outbox.metricPipeState(), topic);
});

test('the FIFO ingest pipe of a BufferedEventConsumer; none without fifo', () => {
  const stack = newStack();
  const topic = new sns.Topic(stack, 'Ops');
  const consumer = new BufferedEventConsumer(stack, 'Orders', {
    eventPattern: { source: ['com.example.orders'] },
    consumerProps: { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(10) },
    fifo: true,
    messageGroupIdPath: '$.detail.orderId',
    alarmAction: new actions.SnsAction(topic),
  });
  expectStateWatch(stack, consumer.ingestPipe!, consumer.alarms, consumer.metricIngestPipeState()!, topic);

  const standard = new BufferedEventConsumer(newStack(), 'Orders', {
    eventPattern: { source: ['com.example.orders'] },
    consumerProps: { code: INLINE_CODE, handler: 'index.handler', timeout: Duration.seconds(10) },
  });
  expect(standard.metricIngestPipeState()).toBeUndefined();
});
