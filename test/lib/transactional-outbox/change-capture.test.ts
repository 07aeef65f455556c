import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { OutboxCaptureOptions, OutboxTarget, TransactionalOutbox, TransactionalOutboxProps } from '../../../lib';
import { OUTBOX_INPUT_TEMPLATE } from '../../../lib/transactional-outbox/contract';
import { newStack } from '../../support/cdk';

const SOURCE = 'com.example.orders';
const CAPTURE: OutboxCaptureOptions = { itemTypes: ['Order'], attributes: ['orderId', 'status', 'total'] };
const build = (stack: Stack, extra: Partial<TransactionalOutboxProps> = {}) =>
  new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE, capture: CAPTURE, ...extra });

function pipeOf(stack: Stack): any {
  const [pipe] = Object.values(Template.fromStack(stack).findResources('AWS::Pipes::Pipe')) as any[];
  return pipe.Properties;
}

describe('the pipe of change capture', () => {
  test('filters creations and changes of the captured item types only', () => {
    const stack = newStack();
    build(stack, { capture: { ...CAPTURE, itemTypes: ['Order', 'Refund'] } });
    const filters = pipeOf(stack).SourceParameters.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern));
    expect(filters).toEqual([{ eventName: ['INSERT', 'MODIFY'], dynamodb: { NewImage: { type: { S: ['Order', 'Refund'] } } } }]);
  });

  test('bus target: the envelope template, the item type as detail-type, the stream record id as resource, no time', () => {
    const stack = newStack();
    build(stack);
    expect(pipeOf(stack).TargetParameters).toEqual({
      InputTemplate: OUTBOX_INPUT_TEMPLATE,
      EventBridgeEventBusParameters: { Source: SOURCE, DetailType: '$.dynamodb.NewImage.type.S', Resources: ['$.eventID'] },
    });
  });

  test('FIFO target: grouped by the aggregate id attribute (default: the partition key), deduplicated by stream record id', () => {
    const stack = newStack();
    build(stack, { target: OutboxTarget.FIFO_QUEUE });
    expect(pipeOf(stack).TargetParameters.SqsQueueParameters).toEqual({
      MessageGroupId: '$.dynamodb.NewImage.pk.S', MessageDeduplicationId: '$.eventID',
    });
    const named = newStack();
    build(named, { target: OutboxTarget.FIFO_QUEUE, capture: { ...CAPTURE, aggregateIdAttribute: 'orderId', typeAttribute: 'kind' } });
    expect(pipeOf(named).TargetParameters.SqsQueueParameters.MessageGroupId).toBe('$.dynamodb.NewImage.orderId.S');
  });

  test('the capture enrichment, with the settings it reads (defaults: type, version)', () => {
    const stack = newStack();
    build(stack);
    Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('captured item changes'),
      Environment: {
        Variables: Match.objectLike({
          OUTBOX_EVENT_SOURCE: SOURCE,
          OUTBOX_CAPTURE_ATTRIBUTES: '["orderId","status","total"]',
          OUTBOX_CAPTURE_TYPE_ATTRIBUTE: 'type',
          OUTBOX_CAPTURE_AGGREGATE_ID_ATTRIBUTE: 'pk',
          OUTBOX_CAPTURE_SEQUENCE_ATTRIBUTE: 'version',
          OUTBOX_CAPTURE_KEY_ATTRIBUTES: '["pk","sk"]',
        }),
      },
    });
  });

  test('without capture, the outbox-row pipe is unchanged', () => {
    const stack = newStack();
    new TransactionalOutbox(stack, 'Outbox', { eventSource: SOURCE });
    expect(pipeOf(stack).SourceParameters.FilterCriteria.Filters[0].Pattern).toContain('OUTBOX#');
  });
});

describe('grants', () => {
  test('grantCapturedWrite: PutItem and UpdateItem on the table, nothing else', () => {
    const stack = newStack();
    const outbox = build(stack);
    const role = new iam.Role(stack, 'Api', { assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com') });
    outbox.grantCapturedWrite(role);
    Template.fromStack(stack).hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Api') }],
      PolicyDocument: { Statement: [{ Action: ['dynamodb:PutItem', 'dynamodb:UpdateItem'], Effect: 'Allow', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('OutboxTable'), 'Arn'] } }] },
    });
  });

  test('each mode refuses the other mode\'s grant, naming the right one', () => {
    const stack = newStack();
    const capturing = build(stack);
    const fn = new lambda.Function(stack, 'Fn', { runtime: lambda.Runtime.NODEJS_LATEST, handler: 'i.h', code: lambda.Code.fromInline('x') });
    expect(() => capturing.grantWrite(fn)).toThrow(/use grantCapturedWrite\(grantee\) instead/);
    const rows = new TransactionalOutbox(stack, 'Rows', { eventSource: SOURCE });
    expect(() => rows.grantCapturedWrite(fn)).toThrow(/use grantWrite\(fn\)/);
  });
});

describe('validation', () => {
  const cases: [string, Partial<OutboxCaptureOptions> | Partial<TransactionalOutboxProps>, boolean][] = [
    ['TransactionalOutbox.CaptureItemTypes', { itemTypes: [] }, true],
    ['TransactionalOutbox.CaptureItemTypes', { itemTypes: [''] }, true],
    ['TransactionalOutbox.CaptureItemTypeLength', { itemTypes: ['x'.repeat(129)] }, true],
    ['TransactionalOutbox.CaptureDuplicateItemTypes', { itemTypes: ['Order', 'Order'] }, true],
    ['TransactionalOutbox.CaptureAttributes', { attributes: [] }, true],
    ['TransactionalOutbox.CaptureDuplicateAttributes', { attributes: ['a', 'a'] }, true],
    ['TransactionalOutbox.CaptureSequenceAttribute', { sequenceAttribute: 'sk' }, true],
    ['TransactionalOutbox.CaptureSequenceAttribute', { sequenceAttribute: 'type' }, true],
    ['TransactionalOutbox.CaptureTypeAttribute', { typeAttribute: 'pk' }, true],
    ['TransactionalOutbox.CaptureAttributeNameLength', { aggregateIdAttribute: 'a'.repeat(80) }, true],
    ['TransactionalOutbox.CaptureFilterTooLong', { itemTypes: Array.from({ length: 40 }, (_, i) => `Type${i}`.padEnd(100, 'x')) }, true],
    ['TransactionalOutbox.RetentionWithCapture', { retention: Duration.days(3) }, false],
  ];
  test.each(cases)('%s', (id, change, inCapture) => {
    const props = inCapture ? { capture: { ...CAPTURE, ...change } as OutboxCaptureOptions } : change as Partial<TransactionalOutboxProps>;
    // The error lists each problem with its id.
    expect(() => build(newStack(), props)).toThrow(`(${id})`);
  });

  test('errors name the construct, the value and the fix', () => {
    expect(() => build(newStack(), { capture: { ...CAPTURE, sequenceAttribute: 'sk' } }))
      .toThrow(/\[Test\/Outbox\] capture\.sequenceAttribute sk is a key or the type attribute.*Fix: name a number attribute of its own/);
  });

  test('a valid capture configuration is accepted, with every option set', () => {
    expect(() => build(newStack(), {
      capture: { ...CAPTURE, typeAttribute: 'kind', aggregateIdAttribute: 'orderId', sequenceAttribute: 'rev' },
    })).not.toThrow();
  });
});
