import { Match, Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_STACKS } from '../../support/examples';

// Behaviour of the example (the snapshot only says "unchanged").
const t = Template.fromStack(EXAMPLE_STACKS.RecruitingAgency());

test('JobEvents.fifo fans out to two FIFO subscribers, inventory filtered to JobCreated/JobDeleted', () => {
  t.hasResourceProperties('AWS::SNS::Topic', { TopicName: 'JobEvents.fifo', FifoTopic: true });
  t.resourceCountIs('AWS::SNS::Subscription', 2);
  t.hasResourceProperties('AWS::SNS::Subscription', { FilterPolicy: { eventType: ['JobCreated', 'JobDeleted'] } });
  t.hasResourceProperties('AWS::SNS::Subscription', { FilterPolicy: Match.absent(), RawMessageDelivery: true });
});

test('the analytics writer may only PutObject below job-events/ of its bucket', () => {
  const statements = Object.values(t.findResources('AWS::IAM::Policy'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => JSON.stringify(s.Action).includes('s3:'));
  expect(statements).toEqual([
    {
      Action: 's3:PutObject',
      Effect: 'Allow',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^AnalyticsBucket/), 'Arn'] }, '/job-events/*']] },
    },
  ]);
});

test('the inventory writer may only put and delete items of its table', () => {
  const statements = Object.values(t.findResources('AWS::IAM::Policy'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => JSON.stringify(s.Action).includes('dynamodb:'));
  expect(statements).toHaveLength(1);
  expect(statements[0].Action).toEqual(['dynamodb:PutItem', 'dynamodb:DeleteItem']);
});

test('data stores are retained, encrypted and recoverable', () => {
  t.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
  t.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
    Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
  });
  t.hasResourceProperties('AWS::S3::Bucket', {
    VersioningConfiguration: { Status: 'Enabled' },
    LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'analytics/' }),
  });
});

test('consumers are flow-controlled to 5 concurrent invocations each', () => {
  const mappings = Object.values(t.findResources('AWS::Lambda::EventSourceMapping')) as any[];
  expect(mappings).toHaveLength(2);
  for (const m of mappings) expect(m.Properties.ScalingConfig).toEqual({ MaximumConcurrency: 5 });
});
