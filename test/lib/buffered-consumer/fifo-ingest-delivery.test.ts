/**
 * The FIFO buffer's ingest pipe as Pipes applies it: the synthesized target template and parameters run through the
 * pipe model (which follows the Pipes guide's input transformation rules, see pipe-semantics.ts) on an ingest SQS
 * record, and the FIFO message that results parsed by the consumer runtime with the environment the construct set.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { parseEventRecord } from '../../../lambda/runtime/event-record';
import { BufferedEventConsumer, BufferedEventInput } from '../../../lib/buffered-consumer';
import { applyInputTemplate, targetParameter } from '../../lambda/outbox-enrichment/pipe-semantics';
import { sqsRecord } from '../../lambda/runtime/idempotent-fixtures';
import { INLINE_CODE, newStack } from '../../support/cdk';

const FIFO_ARN = 'arn:aws:sqs:us-east-1:111122223333:buffer.fifo';
const event = {
  'version': '0',
  'id': '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'OrderPlaced',
  'source': 'com.example.orders',
  'account': '111122223333',
  'time': '2024-05-01T12:00:00Z',
  'region': 'us-east-1',
  'resources': [],
  'detail': { orderId: 'o-1', customer: { id: 'c-7' }, note: 'say "hi"', lines: [{ sku: 'A', qty: 2 }] },
};

function synthesized(input: BufferedEventInput) {
  const stack = newStack();
  new BufferedEventConsumer(stack, 'Orders', {
    eventPattern: { source: ['com.example.orders'] },
    consumerProps: { code: INLINE_CODE, handler: 'index.handler' },
    fifo: true,
    input,
    messageGroupIdPath: '$.detail.customer.id',
  });
  const template = Template.fromStack(stack);
  const [pipe] = Object.values(template.findResources('AWS::Pipes::Pipe')) as any[];
  const [consumer] = Object.values(template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler' } })) as any[];
  return { target: pipe.Properties.TargetParameters, env: consumer.Properties.Environment.Variables as Record<string, string> };
}

/** The FIFO message the pipe sends for one ingest message, as the consumer's queue delivers it. */
function fifoMessage(target: any, ingestBody: unknown) {
  const ingest = sqsRecord(ingestBody);
  const body = applyInputTemplate(target.InputTemplate, ingest);
  return {
    group: targetParameter(target.SqsQueueParameters.MessageGroupId, ingest),
    dedup: targetParameter(target.SqsQueueParameters.MessageDeduplicationId, ingest),
    record: sqsRecord(body, { queueArn: FIFO_ARN, messageGroupId: 'c-7' }),
  };
}

test.each([
  [BufferedEventInput.WHOLE_EVENT, event, event.detail],
  [BufferedEventInput.DETAIL, event.detail, event.detail],
])('with %s input the consumer gets exactly what the rule sent, grouped per event', (input, ingestBody, detail) => {
  const { target, env } = synthesized(input);
  const message = fifoMessage(target, ingestBody);
  expect(message.group).toBe('c-7');
  const parsed = parseEventRecord(message.record, env.BUFFERED_EVENT_INPUT as BufferedEventInput, env.BUFFERED_EVENT_BODY_FIELD);
  expect(parsed.detail).toEqual(detail);
  if (input === BufferedEventInput.WHOLE_EVENT) {
    expect(parsed.event).toEqual(event);
    expect(message.dedup).toBe(event.id);
  }
});

test('the template the guide warns about (<$.body> alone) would reach the consumer as text it cannot parse', () => {
  const message = fifoMessage({ ...synthesized(BufferedEventInput.WHOLE_EVENT).target, InputTemplate: '<$.body>' }, event);
  expect(() => parseEventRecord(message.record, BufferedEventInput.WHOLE_EVENT)).toThrow(/not a whole EventBridge event|not JSON/);
});

