/**
 * What a newcomer sets to deploy an example: an alarm action reaching every alarm of every example stack, and the
 * URLs of the services the examples call, which may be left as placeholders only in a synth-only run.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import { examples, PatternErrors } from '../../../lib';
import { EXAMPLE_STACKS } from '../../support/examples';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:111111111111:ops-alarms';
const alarmAction: cloudwatch.IAlarmAction = { bind: () => ({ alarmActionArn: TOPIC_ARN }) };

describe.each(Object.keys(EXAMPLE_STACKS))('%s with an alarm action', (name) => {
  const alarms = Object.values(Template.fromStack(EXAMPLE_STACKS[name]({ alarmAction })).findResources('AWS::CloudWatch::Alarm'));

  test('has alarms, and every one notifies the action when it fires and when it recovers', () => {
    expect(alarms.length).toBeGreaterThan(0);
    const silent = alarms.filter((a) => !(a.Properties.AlarmActions?.includes(TOPIC_ARN) && a.Properties.OKActions?.includes(TOPIC_ARN)));
    expect(silent).toEqual([]);
  });
});

const URL_SETTINGS = [
  { stack: 'OrderEvents', setting: 'downstreamUrl', make: (app: App, url?: string) => new examples.OrderEventsStack(app, 'OrderEvents', { downstreamUrl: url }) },
  { stack: 'Quotes', setting: 'quotesUrl', make: (app: App, url?: string) => new examples.QuotesStack(app, 'Quotes', { quotesUrl: url }) },
  {
    stack: 'PartnerWebhooks',
    setting: 'partnerWebhookUrl',
    make: (app: App, url?: string) => new examples.PartnerWebhooksStack(app, 'PartnerWebhooks', { partnerWebhookUrl: url }),
  },
];

describe.each(URL_SETTINGS)('$stack', ({ setting, make }) => {
  const errors = (stack: Stack) => Annotations.fromStack(stack).findError('*', Match.anyValue());
  const warnings = (stack: Stack) => Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('placeholder'));

  test(`without ${setting}, the stack carries an error naming the fix (cdk synth and cdk deploy of it stop)`, () => {
    const stack = make(new App());
    const messages = errors(stack).map((e) => String(e.entry.data));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain(`${setting} is not set`);
    expect(messages[0]).toContain(`cdk deploy ${stack.stackName} -c ${setting}=https://`);
  });

  test('in a synth-only run (-c synthOnly=true) the placeholder is a warning instead', () => {
    const stack = make(new App({ context: { synthOnly: 'true' } }));
    expect(errors(stack)).toEqual([]);
    expect(warnings(stack)).toHaveLength(1);
  });

  test(`with ${setting}, the stack calls it and carries neither error nor warning`, () => {
    const stack = make(new App(), 'https://service.example.org/api');
    expect(errors(stack)).toEqual([]);
    expect(warnings(stack)).toEqual([]);
    expect(JSON.stringify(Template.fromStack(stack).toJSON())).toContain('https://service.example.org/api');
  });

  test(`a ${setting} that is not an http(s) URL is refused at construction`, () => {
    expect.assertions(1);
    try {
      make(new App(), 'service.example.org');
    } catch (err) {
      expect(PatternErrors.problemsOf(err).map((p) => p.id)).toEqual(['Examples.Url']);
    }
  });
});
