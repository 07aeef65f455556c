/**
 * The sample app's stacks, set by context so that nobody edits code to deploy them:
 *
 *   cdk deploy OrderEvents -c downstreamUrl=https://fulfilment.example.org/orders
 *   cdk deploy Quotes -c quotesUrl=https://quotes.example.org
 *   cdk deploy PartnerWebhooks -c partnerWebhookUrl=https://partner.example.org/webhooks/orders
 *   cdk deploy Inference -c modelDirectory=./my-model            (a directory holding model.onnx)
 *   cdk deploy RecruitingAgency -c dataRemovalPolicy=destroy      (default: the bucket and table are retained)
 *   cdk deploy --all -c alarmEmail=ops@example.org               (or -c alarmTopicArn=arn:aws:sns:…)
 *
 * A stack whose URL is not set refuses to synthesize or deploy (the CLI checks only the stacks it is asked for, so
 * the others still deploy), except in a synth-only run, `-c synthOnly=true`, which `npm run synth:app` uses.
 */
import { App, Arn, ArnFormat, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import { examples } from '../lib';

/** The context keys the sample app reads, with what each sets. */
export const SAMPLE_APP_CONTEXT = {
  downstreamUrl: 'OrderEvents: the fulfilment service each order is POSTed to',
  quotesUrl: 'Quotes: base URL of the quotes service',
  partnerWebhookUrl: 'PartnerWebhooks: the partner\'s HTTPS endpoint each order event is POSTed to',
  modelDirectory: 'Inference: a directory holding model.onnx (default: the shipped demo classifier)',
  dataRemovalPolicy: 'RecruitingAgency: retain (default) or destroy the analytics bucket and inventory table with the stack',
  alarmEmail: 'every example: an e-mail address subscribed to a topic (in the Alarms stack) that all alarms notify',
  alarmTopicArn: 'every example: an existing SNS topic all alarms notify (instead of alarmEmail)',
  synthOnly: 'true: synthesize with placeholder URLs (never deploy such a run)',
} as const;

/** Adds every example stack to `app`, set from its context; with an alarm e-mail, also the `Alarms` stack. */
export function addSampleStacks(app: App): void {
  const context = (key: keyof typeof SAMPLE_APP_CONTEXT): string | undefined => {
    const value: unknown = app.node.tryGetContext(key);
    return value === undefined || value === '' ? undefined : String(value);
  };
  const alarmAction = alarmActionFrom(app, context('alarmEmail'), context('alarmTopicArn'));
  new examples.RecruitingAgencyStack(app, 'RecruitingAgency', { alarmAction, removalPolicy: removalPolicy(context('dataRemovalPolicy')) });
  new examples.OrderEventsStack(app, 'OrderEvents', { alarmAction, downstreamUrl: context('downstreamUrl') });
  new examples.OrderServiceStack(app, 'OrderService', { alarmAction });
  new examples.OrderIntakeStack(app, 'OrderIntake', { alarmAction });
  new examples.QuotesStack(app, 'Quotes', { alarmAction, quotesUrl: context('quotesUrl') });
  new examples.InferenceStack(app, 'Inference', { alarmAction, modelDirectory: context('modelDirectory') });
  new examples.PartnerWebhooksStack(app, 'PartnerWebhooks', { alarmAction, partnerWebhookUrl: context('partnerWebhookUrl') });
}

function removalPolicy(value: string | undefined): RemovalPolicy | undefined {
  if (value === undefined) return undefined;
  const policies: Record<string, RemovalPolicy> = { retain: RemovalPolicy.RETAIN, destroy: RemovalPolicy.DESTROY };
  const policy = policies[value.toLowerCase()];
  if (!policy) throw new Error(`-c dataRemovalPolicy=${value}: use retain or destroy`);
  return policy;
}

function alarmActionFrom(app: App, email: string | undefined, topicArn: string | undefined): cloudwatch.IAlarmAction | undefined {
  if (email !== undefined && topicArn !== undefined) throw new Error('-c alarmEmail and -c alarmTopicArn: give one of them');
  if (topicArn !== undefined) {
    const service = /^arn:/.test(topicArn) ? Arn.split(topicArn, ArnFormat.NO_RESOURCE_NAME).service : undefined;
    if (service !== 'sns') throw new Error(`-c alarmTopicArn=${topicArn}: not an SNS topic ARN (arn:aws:sns:<region>:<account>:<name>)`);
    // A literal ARN needs no construct: the alarms of every stack name it directly.
    return { bind: () => ({ alarmActionArn: topicArn }) };
  }
  if (email === undefined) return undefined;
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) throw new Error(`-c alarmEmail=${email}: not an e-mail address`);
  return new actions.SnsAction(new AlarmTopicStack(app, 'Alarms', { email }).topic);
}

/**
 * An encrypted topic with an e-mail subscription (confirm it from the first message). CloudWatch publishes to an
 * encrypted topic only when the key lets it use the key, which the AWS managed SNS key never does.
 */
class AlarmTopicStack extends Stack {
  public readonly topic: sns.Topic;

  constructor(scope: App, id: string, props: { email: string }) {
    super(scope, id, { description: 'The topic every example alarm notifies, with an e-mail subscription' });
    const key = new kms.Key(this, 'Key', { enableKeyRotation: true, description: 'Encrypts the example alarm topic', removalPolicy: RemovalPolicy.DESTROY });
    key.addToResourcePolicy(new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
      actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
      resources: ['*'],
    }));
    this.topic = new sns.Topic(this, 'Topic', { masterKey: key, enforceSSL: true, displayName: 'Example alarms' });
    const subscription = this.topic.addSubscription(new subscriptions.EmailSubscription(props.email));
    Validations.of(subscription).acknowledge({
      id: 'Serverless-SNSRedrivePolicy',
      reason:
        'The e-mail that delivers alarm notifications: SNS retries a failed delivery and counts it in the topic\'s ' +
        'NumberOfNotificationsFailed metric; a dead-letter queue of undelivered alarm e-mails would need an alarm of its ' +
        'own, notifying through this same topic.',
    });
  }
}
