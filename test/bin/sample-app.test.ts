/**
 * The sample app set by context, as a newcomer deploys it: URLs, model directory, removal policy and an alarm
 * action from `-c key=value`, placeholder URLs refused outside a synth-only run, and cdk-nag still clean.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addSampleStacks } from '../../bin/sample-app';
import { ScopedNagValidation, ServerlessPatternsChecks } from '../../lib';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:ops-alarms';

function sampleApp(context: Record<string, string>): { app: App; stacks: Record<string, Stack> } {
  const app = new App({ context });
  addSampleStacks(app);
  const stacks = Object.fromEntries(app.node.children.filter(Stack.isStack).map((s) => [s.stackName, s]));
  return { app, stacks };
}

const errorsOf = (stack: Stack) => Annotations.fromStack(stack).findError('*', Match.anyValue()).map((e) => String(e.entry.data));
const alarmsOf = (stack: Stack) => Object.values(Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm'));

describe('with every setting given', () => {
  const { stacks } = sampleApp({
    downstreamUrl: 'https://fulfilment.example.org/orders',
    quotesUrl: 'https://quotes.example.org',
    partnerWebhookUrl: 'https://partner.example.org/webhooks/orders',
    alarmTopicArn: TOPIC_ARN,
    dataRemovalPolicy: 'destroy',
  });

  test('every stack synthesizes without an error', () => {
    expect(Object.keys(stacks).sort()).toEqual(['Inference', 'OrderEvents', 'OrderIntake', 'OrderService', 'PartnerWebhooks', 'Quotes', 'RecruitingAgency']);
    expect(Object.values(stacks).flatMap(errorsOf)).toEqual([]);
  });

  test('the URLs reach the functions that call them', () => {
    Template.fromStack(stacks.OrderEvents).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DOWNSTREAM_URL: 'https://fulfilment.example.org/orders' }) },
    });
    Template.fromStack(stacks.Quotes).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ QUOTES_URL: 'https://quotes.example.org' }) },
    });
    Template.fromStack(stacks.PartnerWebhooks).hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ EGRESS_ENDPOINT_URL: 'https://partner.example.org/webhooks/orders' }) },
    });
  });

  test('every alarm of every stack notifies the topic', () => {
    const alarms = Object.values(stacks).flatMap(alarmsOf);
    expect(alarms.length).toBeGreaterThan(20);
    expect(alarms.filter((a) => !a.Properties.AlarmActions?.includes(TOPIC_ARN))).toEqual([]);
  });

  test('dataRemovalPolicy=destroy lets the recruiting agency\'s bucket and table go with the stack', () => {
    const t = Template.fromStack(stacks.RecruitingAgency);
    expect(Object.values(t.findResources('AWS::S3::Bucket')).map((r) => r.DeletionPolicy)).toEqual(['Delete', 'Delete']);
    t.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
  });
});

describe('with an alarm e-mail', () => {
  const { app, stacks } = sampleApp({ alarmEmail: 'ops@example.org', synthOnly: 'true' });

  test('an Alarms stack holds a KMS-encrypted topic CloudWatch may use, with the e-mail subscribed', () => {
    const t = Template.fromStack(stacks.Alarms);
    t.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' });
    t.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    t.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: { Statement: Match.arrayWith([Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' } })]) },
    });
  });

  test('every alarm of every example stack notifies that topic', () => {
    const examples = Object.values(stacks).filter((s) => s.stackName !== 'Alarms');
    const alarms = examples.flatMap(alarmsOf);
    expect(alarms.length).toBeGreaterThan(20);
    expect(alarms.filter((a) => !JSON.stringify(a.Properties.AlarmActions ?? []).includes('Fn::ImportValue'))).toEqual([]);
  });

  test('the whole app, Alarms stack included, passes AwsSolutions and ServerlessPatternsChecks', () => {
    expect(() => {
      ScopedNagValidation.enforce(app, new AwsSolutionsChecks(), new ServerlessPatternsChecks());
      app.synth();
    }).not.toThrow();
  });
});

describe('without the URLs', () => {
  const { stacks } = sampleApp({});

  test('OrderEvents, Quotes and PartnerWebhooks carry an error naming the context to set; the other stacks none', () => {
    expect(errorsOf(stacks.OrderEvents).join('\n')).toContain('cdk deploy OrderEvents -c downstreamUrl=https://');
    expect(errorsOf(stacks.Quotes).join('\n')).toContain('cdk deploy Quotes -c quotesUrl=https://');
    expect(errorsOf(stacks.PartnerWebhooks).join('\n')).toContain('cdk deploy PartnerWebhooks -c partnerWebhookUrl=https://');
    expect(['RecruitingAgency', 'OrderService', 'Inference'].flatMap((name) => errorsOf(stacks[name]))).toEqual([]);
  });

  test('a synth-only run (-c synthOnly=true) synthesizes every stack without an error', () => {
    expect(Object.values(sampleApp({ synthOnly: 'true' }).stacks).flatMap(errorsOf)).toEqual([]);
  });
});

test.each([
  [{ alarmEmail: 'ops@example.org', alarmTopicArn: TOPIC_ARN }, 'give one of them'],
  [{ alarmTopicArn: 'arn:aws:sqs:us-east-1:111111111111:queue' }, 'not an SNS topic ARN'],
  [{ alarmTopicArn: 'ops-alarms' }, 'not an SNS topic ARN'],
  [{ alarmEmail: 'ops' }, 'not an e-mail address'],
  [{ dataRemovalPolicy: 'snapshot' }, 'use retain or destroy'],
])('context %j is refused: %s', (context, message) => {
  expect(() => sampleApp(context)).toThrow(message);
});
