/**
 * Integration test for FifoFanout. Run against a real account with
 *   AWS_REGION=<region> npx integ-runner --directory test/integ --language typescript \
 *     --app "node -r ts-node/register/transpile-only {filePath}" integ.fifo-fanout.ts
 * It publishes JobCreated, JobUpdated, JobDeleted for one job (one message group) and asserts that the unfiltered
 * queue receives all three in publish order and the filtered queue only JobCreated then JobDeleted.
 * CI only verifies the committed snapshot (no deployment).
 */
import { ExpectedResult, IntegTest } from '@aws-cdk/integ-tests-alpha';
import { Duration, Stack } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { integApp } from './integ-app';
import { FifoFanout } from '../../lib';

const app = integApp();
const stack = new Stack(app, 'FifoFanoutInteg');
const fanout = new FifoFanout(stack, 'JobEvents');
const all = fanout.addSubscriber('All');
const filtered = fanout.addSubscriber('CreatedOrDeleted', {
  filterPolicy: { eventType: sns.SubscriptionFilter.stringFilter({ allowlist: ['JobCreated', 'JobDeleted'] }) },
});

const integ = new IntegTest(app, 'FifoFanoutOrdering', { testCases: [stack], regions: ['us-east-1'] });

const events = ['JobCreated', 'JobUpdated', 'JobDeleted'];
const publish = integ.assertions.awsApiCall('SNS', 'publishBatch', {
  TopicArn: fanout.topic.topicArn,
  PublishBatchRequestEntries: events.map((eventType, i) => ({
    Id: `e${i}`,
    Message: JSON.stringify({ jobId: 'job-1', eventType, seq: i }),
    MessageGroupId: 'job-1',
    MessageDeduplicationId: `job-1-${i}`,
    MessageAttributes: { eventType: { DataType: 'String', StringValue: eventType } },
  })),
});
// The assertion provider derives `sns:PublishBatch` from the API name, but IAM has no such action: PublishBatch is
// authorized by sns:Publish.
publish.provider.addToRolePolicy({ Effect: 'Allow', Action: ['sns:Publish'], Resource: [fanout.topic.topicArn] });

const receive = (queueUrl: string) =>
  integ.assertions.awsApiCall('SQS', 'receiveMessage', {
    QueueUrl: queueUrl,
    MaxNumberOfMessages: 10,
    WaitTimeSeconds: 20,
    MessageSystemAttributeNames: ['MessageGroupId'],
  });
const bodies = (types: string[]) =>
  ExpectedResult.objectLike({
    Messages: types.map((eventType) => ({ Body: JSON.stringify({ jobId: 'job-1', eventType, seq: events.indexOf(eventType) }) })),
  });

publish
  .next(receive(all.queue.queueUrl).expect(bodies(events)).waitForAssertions({ totalTimeout: Duration.minutes(2) }))
  .next(
    receive(filtered.queue.queueUrl)
      .expect(bodies(['JobCreated', 'JobDeleted']))
      .waitForAssertions({ totalTimeout: Duration.minutes(2) }),
  );

app.synth();
