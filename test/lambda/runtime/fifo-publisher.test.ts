import { PublishBatchCommand, PublishCommand, SNSClient, SNSServiceException } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import {
  FifoMessage,
  FifoPublisher,
  FifoPublishValidationError,
  MISSING_FROM_RESPONSE,
  SKIPPED_AFTER_GROUP_FAILURE,
} from '../../../lambda/runtime';
import { FIFO_FANOUT_ENV } from '../../../lib/fifo-fanout/contract';

const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:JobEvents.fifo';
const sns = mockClient(SNSClient);

function jobCreated(jobId: string, overrides: Partial<FifoMessage> = {}): FifoMessage {
  return {
    messageGroupId: jobId,
    deduplicationId: `${jobId}-created`,
    eventType: 'JobCreated',
    detail: { jobId, title: 'Backend engineer' },
    ...overrides,
  };
}

function publisher(): FifoPublisher {
  return new FifoPublisher({ topicArn: TOPIC_ARN, client: new SNSClient({ region: 'us-east-1' }) });
}

/** Runs `action` and returns the validation error it threw, failing the test if it threw nothing or another error. */
async function validationError(action: () => Promise<unknown> | unknown): Promise<FifoPublishValidationError> {
  try {
    await action();
  } catch (error) {
    expect(error).toBeInstanceOf(FifoPublishValidationError);
    return error as FifoPublishValidationError;
  }
  throw new Error('expected a FifoPublishValidationError, but nothing was thrown');
}

beforeEach(() => {
  sns.reset();
});

describe('FifoPublisher.publish', () => {
  test('sends one Publish with the JSON body, FIFO ids and typed attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-1', SequenceNumber: '10000000000000000001' });

    const result = await publisher().publish(jobCreated('job-1', {
      attributes: { region: 'eu-west-1', salary: 85000, skills: ['go', 'aws'] },
    }));

    expect(result).toEqual({ messageId: 'm-1', sequenceNumber: '10000000000000000001' });
    expect(sns.calls()).toHaveLength(1);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input).toEqual({
      TopicArn: TOPIC_ARN,
      Message: '{"jobId":"job-1","title":"Backend engineer"}',
      MessageGroupId: 'job-1',
      MessageDeduplicationId: 'job-1-created',
      MessageAttributes: {
        eventType: { DataType: 'String', StringValue: 'JobCreated' },
        region: { DataType: 'String', StringValue: 'eu-west-1' },
        salary: { DataType: 'Number', StringValue: '85000' },
        skills: { DataType: 'String.Array', StringValue: '["go","aws"]' },
      },
    });
  });

  test('serialises non-object details as JSON too', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm-2' });

    await publisher().publish(jobCreated('job-2', { detail: 'plain text' }));

    expect(sns.commandCalls(PublishCommand)[0].args[0].input.Message).toBe('"plain text"');
  });

  test('lets SNS errors through to the caller', async () => {
    sns.on(PublishCommand).rejects(new SNSServiceException({ name: 'AuthorizationErrorException', $fault: 'client', $metadata: {} }));

    await expect(publisher().publish(jobCreated('job-3'))).rejects.toThrow(expect.objectContaining({ name: 'AuthorizationErrorException' }));
  });
});

describe('topic from the environment FifoFanout.grantPublish sets', () => {
  const saved = process.env[FIFO_FANOUT_ENV.TOPIC_ARN];
  afterEach(() => {
    if (saved === undefined) delete process.env[FIFO_FANOUT_ENV.TOPIC_ARN];
    else process.env[FIFO_FANOUT_ENV.TOPIC_ARN] = saved;
  });

  test('without topicArn, publishes to the topic the variable names', async () => {
    process.env[FIFO_FANOUT_ENV.TOPIC_ARN] = TOPIC_ARN;
    sns.on(PublishCommand).resolves({ MessageId: 'm-1', SequenceNumber: '1' });
    const fromEnv = new FifoPublisher({ client: new SNSClient({ region: 'us-east-1' }) });
    await fromEnv.publish(jobCreated('job-1'));
    expect(fromEnv.topicArn).toBe(TOPIC_ARN);
    expect(sns.commandCalls(PublishCommand)[0].args[0].input.TopicArn).toBe(TOPIC_ARN);
  });

  test('a topicArn passed wins over the variable', () => {
    process.env[FIFO_FANOUT_ENV.TOPIC_ARN] = 'arn:aws:sns:us-east-1:123456789012:Other.fifo';
    expect(new FifoPublisher({ topicArn: TOPIC_ARN }).topicArn).toBe(TOPIC_ARN);
  });

  test('neither: the error says how to provide one', async () => {
    delete process.env[FIFO_FANOUT_ENV.TOPIC_ARN];
    const error = await validationError(() => new FifoPublisher());
    expect(error.field).toBe('topicArn');
    expect(error.reason).toContain(`grant the function with FifoFanout.grantPublish(fn), which sets ${FIFO_FANOUT_ENV.TOPIC_ARN}`);
  });
});

describe('validation (nothing is sent)', () => {
  afterEach(() => {
    expect(sns.calls()).toHaveLength(0);
  });

  test.each([
    ['missing group id', { messageGroupId: '' }, 'messageGroupId', 'is required on FIFO topics'],
    ['missing deduplication id', { deduplicationId: undefined as unknown as string }, 'deduplicationId', 'is required on FIFO topics'],
    ['group id over 128 characters', { messageGroupId: 'g'.repeat(129) }, 'messageGroupId', 'at most 128 characters, got 129'],
    ['deduplication id over 128 characters', { deduplicationId: 'd'.repeat(200) }, 'deduplicationId', 'at most 128 characters, got 200'],
    ['space in group id', { messageGroupId: 'job 1' }, 'messageGroupId', 'only alphanumerics and ASCII punctuation'],
    ['non-ASCII in deduplication id', { deduplicationId: 'job-1-créé' }, 'deduplicationId', 'only alphanumerics and ASCII punctuation'],
    ['missing eventType', { eventType: '' }, 'eventType', 'is required'],
    ['undefined detail', { detail: undefined }, 'detail', 'must be a JSON-serialisable value'],
    ['detail that JSON cannot encode', { detail: { n: 10n } }, 'detail', 'cannot be serialised to JSON'],
    ['eventType passed as an attribute', { attributes: { eventType: 'JobUpdated' } }, 'attributes.eventType', "set from the message's eventType"],
    ['empty attribute value', { attributes: { region: '' } }, 'attributes.region', 'SNS rejects empty attribute values'],
    ['non-finite number attribute', { attributes: { salary: Number.NaN } }, 'attributes.salary', 'must be a finite number, got NaN'],
    ['array with a non-string', { attributes: { skills: ['go', 1] as unknown as string[] } }, 'attributes.skills', 'only strings'],
    ['boolean attribute', { attributes: { remote: true as unknown as string } }, 'attributes.remote', 'got boolean'],
    ['attribute name with a space', { attributes: { 'job type': 'x' } }, 'attributes.job type', 'alphanumerics, "-", "_" and "."'],
    ['attribute name with ".."', { attributes: { 'a..b': 'x' } }, 'attributes.a..b', 'cannot start or end with "." or contain ".."'],
    ['reserved attribute name', { attributes: { 'AWS.trace': 'x' } }, 'attributes.AWS.trace', 'are reserved'],
    ['attribute name over 256 characters', { attributes: { ['a'.repeat(257)]: 'x' } }, `attributes.${'a'.repeat(257)}`, 'at most 256 characters'],
  ])('rejects %s', async (_case, overrides, field, reason) => {
    const error = await validationError(() => publisher().publish(jobCreated('job-1', overrides as Partial<FifoMessage>)));

    expect(error.field).toBe(field);
    expect(error.reason).toContain(reason);
    expect(error.message).toBe(`Invalid ${field}: ${error.reason}`);
  });

  test('rejects an 11th message attribute (eventType counts)', async () => {
    const attributes = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`attr${i}`, `v${i}`]));

    const error = await validationError(() => publisher().publish(jobCreated('job-1', { attributes })));

    expect(error.field).toBe('attributes');
    expect(error.reason).toBe('at most 10 message attributes including eventType are delivered to SQS with raw message delivery, got 11');
  });

  test('rejects a message over 256 KiB, counting attributes', async () => {
    // Body '"xx…x"' plus eventType attribute (9 + 6 + 10 bytes) lands exactly one byte over the limit.
    const detail = 'x'.repeat(262_144 - 2 - 25 + 1);

    const error = await validationError(() => publisher().publish(jobCreated('job-1', { detail })));

    expect(error.field).toBe('message');
    expect(error.reason).toBe('is 262145 bytes including message attributes, over the 262144-byte limit');
  });

  test('counts multi-byte characters in bytes, not characters', async () => {
    const detail = 'é'.repeat(140_000); // 280,000 bytes in UTF-8

    const error = await validationError(() => publisher().publish(jobCreated('job-1', { detail })));

    expect(error.reason).toMatch(/^is 280027 bytes/);
  });

  test.each([
    ['', 'is required'],
    ['arn:aws:sns:us-east-1:123456789012:JobEvents', 'must be a FIFO topic (name ending in ".fifo")'],
    ['arn:aws:sqs:us-east-1:123456789012:JobEvents.fifo', 'is not an SNS topic ARN'],
    ['JobEvents.fifo', 'is not an SNS topic ARN'],
  ])('rejects topic ARN %j', async (topicArn, reason) => {
    const error = await validationError(() => new FifoPublisher({ topicArn }));

    expect(error.field).toBe('topicArn');
    expect(error.reason).toContain(reason);
  });

  test.each([0, 1_048_577, 1.5])('rejects maxMessageBytes %p', async (maxMessageBytes) => {
    const error = await validationError(() => new FifoPublisher({ topicArn: TOPIC_ARN, maxMessageBytes }));

    expect(error.field).toBe('maxMessageBytes');
  });

  test('publishBatch names the index of the invalid message and sends none of the batch', async () => {
    const messages = [jobCreated('job-1'), jobCreated('job-2'), jobCreated('job-3', { messageGroupId: 'bad group' })];

    const error = await validationError(() => publisher().publishBatch(messages));

    expect(error.field).toBe('messages[2].messageGroupId');
    expect(error.message).toMatch(/^Invalid messages\[2\]\.messageGroupId: may contain only/);
  });
});

describe('values at the limits are accepted', () => {
  test('accepts 128-character ids made of every allowed punctuation character', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const punctuation = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
    const id = (punctuation + 'A1z').repeat(4).slice(0, 128);

    await publisher().publish(jobCreated('job-1', { messageGroupId: id, deduplicationId: id }));

    expect(sns.commandCalls(PublishCommand)[0].args[0].input).toMatchObject({ MessageGroupId: id, MessageDeduplicationId: id });
  });

  test('accepts a message of exactly 256 KiB including attributes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const detail = 'x'.repeat(262_144 - 2 - 25);

    await publisher().publish(jobCreated('job-1', { detail }));

    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });

  test('honours a raised maxMessageBytes', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'm' });
    const big = new FifoPublisher({ topicArn: TOPIC_ARN, client: new SNSClient({ region: 'us-east-1' }), maxMessageBytes: 1_048_576 });

    await big.publish(jobCreated('job-1', { detail: 'x'.repeat(500_000) }));

    expect(sns.commandCalls(PublishCommand)).toHaveLength(1);
  });
});

describe('FifoPublisher.publishBatch', () => {
  function messages(count: number): FifoMessage[] {
    return Array.from({ length: count }, (_, i) => jobCreated(`job-${i % 3}`, { deduplicationId: `event-${i}`, detail: { seq: i } }));
  }

  function batchEntries(call: number) {
    return sns.commandCalls(PublishBatchCommand)[call].args[0].input.PublishBatchRequestEntries!;
  }

  function acceptAll() {
    sns.on(PublishBatchCommand).callsFake((input) => ({
      Successful: input.PublishBatchRequestEntries.map((entry: { Id: string }) => ({ Id: entry.Id, MessageId: `sns-${entry.Id}`, SequenceNumber: `seq-${entry.Id}` })),
      Failed: [],
    }));
  }

  test('splits 23 messages into requests of 10, 10 and 3, in order', async () => {
    acceptAll();
    const input = messages(23);

    const result = await publisher().publishBatch(input);

    const calls = sns.commandCalls(PublishBatchCommand);
    expect(calls.map((call) => call.args[0].input.PublishBatchRequestEntries!.length)).toEqual([10, 10, 3]);
    const sentDedupIds = calls.flatMap((call) => call.args[0].input.PublishBatchRequestEntries!.map((e) => e.MessageDeduplicationId));
    expect(sentDedupIds).toEqual(input.map((m) => m.deduplicationId));
    expect(result.failed).toEqual([]);
    expect(result.successful.map((s) => s.message)).toEqual(input);
    expect(result.successful[22]).toEqual({ message: input[22], messageId: 'sns-22', sequenceNumber: 'seq-22' });
  });

  test('sends exactly the entries of Publish, with ids unique within each request', async () => {
    acceptAll();

    await publisher().publishBatch([jobCreated('job-1', { attributes: { region: 'eu' } }), jobCreated('job-2')]);

    expect(sns.commandCalls(PublishBatchCommand)[0].args[0].input).toEqual({
      TopicArn: TOPIC_ARN,
      PublishBatchRequestEntries: [
        {
          Id: '0',
          Message: '{"jobId":"job-1","title":"Backend engineer"}',
          MessageGroupId: 'job-1',
          MessageDeduplicationId: 'job-1-created',
          MessageAttributes: {
            eventType: { DataType: 'String', StringValue: 'JobCreated' },
            region: { DataType: 'String', StringValue: 'eu' },
          },
        },
        {
          Id: '1',
          Message: '{"jobId":"job-2","title":"Backend engineer"}',
          MessageGroupId: 'job-2',
          MessageDeduplicationId: 'job-2-created',
          MessageAttributes: { eventType: { DataType: 'String', StringValue: 'JobCreated' } },
        },
      ],
    });
    for (const call of sns.commandCalls(PublishBatchCommand)) {
      const ids = call.args[0].input.PublishBatchRequestEntries!.map((e) => e.Id);
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  test('starts a new request before the summed size would pass the limit', async () => {
    acceptAll();
    // Each message is 100,025 bytes: two fit in 256 KiB, three do not.
    const big = Array.from({ length: 5 }, (_, i) => jobCreated(`job-${i}`, { detail: 'x'.repeat(100_000 - 2) }));

    const result = await publisher().publishBatch(big);

    const sizes = sns.commandCalls(PublishBatchCommand).map((call) => call.args[0].input.PublishBatchRequestEntries!.map((e) => e.Id));
    expect(sizes).toEqual([['0', '1'], ['2', '3'], ['4']]);
    expect(result.successful).toHaveLength(5);
  });

  test('reports entries SNS rejected, with code and reason, and the rest as successful', async () => {
    sns.on(PublishBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'sns-0', SequenceNumber: 's0' }, { Id: '2', MessageId: 'sns-2', SequenceNumber: 's2' }],
      Failed: [{ Id: '1', Code: 'InternalError', Message: 'Try again', SenderFault: false }],
    });
    const input = [jobCreated('job-a'), jobCreated('job-b'), jobCreated('job-c')];

    const result = await publisher().publishBatch(input);

    expect(result).toEqual({
      successful: [
        { message: input[0], messageId: 'sns-0', sequenceNumber: 's0' },
        { message: input[2], messageId: 'sns-2', sequenceNumber: 's2' },
      ],
      failed: [{ message: input[1], code: 'InternalError', reason: 'Try again', senderFault: false }],
    });
  });

  test('does not send later messages of a group that failed in an earlier request', async () => {
    sns.on(PublishBatchCommand)
      .resolvesOnce({
        Successful: Array.from({ length: 9 }, (_, i) => ({ Id: String(i + 1), MessageId: `sns-${i + 1}` })),
        Failed: [{ Id: '0', Code: 'InternalError', Message: 'boom', SenderFault: false }],
      })
      .callsFake((input) => ({
        Successful: input.PublishBatchRequestEntries.map((entry: { Id: string }) => ({ Id: entry.Id, MessageId: `sns-${entry.Id}` })),
      }));
    // Message 0 is group job-0; messages 3, 6, 9, 12 are job-0 too.
    const input = messages(13);

    const result = await publisher().publishBatch(input);

    const secondRequest = batchEntries(1).map((e) => e.Id);
    expect(secondRequest).toEqual(['10', '11']);
    expect(result.failed.map((f) => [input.indexOf(f.message), f.code])).toEqual([
      [0, 'InternalError'],
      [12, SKIPPED_AFTER_GROUP_FAILURE],
    ]);
    expect(result.failed[1].reason).toBe('not sent: an earlier message of group "job-0" failed to publish');
    // Within the first request SNS decided per entry, so 3, 6 and 9 of job-0 did go out.
    expect(result.successful.map((s) => input.indexOf(s.message))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
  });

  test('a request that fails as a whole fails each of its messages and the rest carry on', async () => {
    sns.on(PublishBatchCommand)
      .resolvesOnce({ Successful: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageId: `sns-${i}` })) })
      .rejectsOnce(new SNSServiceException({ name: 'ThrottledException', message: 'Rate exceeded', $fault: 'client', $metadata: {} }));
    const input = messages(12);

    const result = await publisher().publishBatch(input);

    expect(result.successful).toHaveLength(10);
    expect(result.failed).toEqual([
      { message: input[10], code: 'ThrottledException', reason: 'Rate exceeded', senderFault: true },
      { message: input[11], code: 'ThrottledException', reason: 'Rate exceeded', senderFault: true },
    ]);
  });

  test('reports an entry missing from the response as failed instead of dropping it', async () => {
    sns.on(PublishBatchCommand).resolves({ Successful: [{ Id: '0', MessageId: 'sns-0' }], Failed: [] });
    const input = [jobCreated('job-a'), jobCreated('job-b')];

    const result = await publisher().publishBatch(input);

    expect(result.successful).toEqual([{ message: input[0], messageId: 'sns-0', sequenceNumber: undefined }]);
    expect(result.failed).toEqual([
      { message: input[1], code: MISSING_FROM_RESPONSE, reason: expect.stringContaining('neither success nor failure'), senderFault: false },
    ]);
  });

  test('an empty list sends nothing', async () => {
    const result = await publisher().publishBatch([]);

    expect(result).toEqual({ successful: [], failed: [] });
    expect(sns.calls()).toHaveLength(0);
  });
});
