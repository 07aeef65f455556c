import type { Context } from 'aws-lambda';
import { failedIds, FifoTestMessage, sqsFifoEvent, sqsFifoRecord } from './sqs-fifo-event';
import { fifoBatchHandler, FifoBatchLogger, FifoRecord, FifoRecordParseError } from '../../../lambda/runtime';

interface JobEvent {
  jobId: string;
  seq: number;
}

/** A logger that records instead of printing, so failure logging can be asserted and test output stays clean. */
function recordingLogger(): FifoBatchLogger & { entries: unknown[][] } {
  const entries: unknown[][] = [];
  return { entries, error: (...args: unknown[]) => void entries.push(args) };
}

/** A record handler that notes every record it sees and throws for the message ids in `failOn`. */
function tracingHandler(failOn: string[] = []) {
  const seen: string[] = [];
  const handler = async (record: FifoRecord<JobEvent>) => {
    seen.push(record.messageId);
    if (failOn.includes(record.messageId)) throw new Error(`cannot process ${record.messageId}`);
  };
  return { seen, handler };
}

function messages(groups: string[]): FifoTestMessage[] {
  return groups.map((groupId, i) => ({ groupId, body: { jobId: groupId, seq: i + 1 }, eventType: 'JobCreated' }));
}

describe('fifoBatchHandler', () => {
  test('hands records over one at a time, in delivery order, with FIFO metadata and the parsed body', async () => {
    const received: FifoRecord<JobEvent>[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const handler = fifoBatchHandler<JobEvent>(async (record) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      // Yield to the event loop so a parallel processor would start the next record here.
      await new Promise((resolve) => setTimeout(resolve, 5));
      received.push(record);
      inFlight--;
    });
    const event = sqsFifoEvent([
      { groupId: 'job-1', body: { jobId: 'job-1', seq: 1 }, eventType: 'JobCreated', deduplicationId: 'd-1', receiveCount: 2 },
      { groupId: 'job-2', body: { jobId: 'job-2', seq: 2 }, eventType: 'JobCreated' },
      { groupId: 'job-1', body: { jobId: 'job-1', seq: 3 } },
    ]);

    const response = await handler(event);

    expect(response).toEqual({ batchItemFailures: [] });
    expect(maxInFlight).toBe(1);
    expect(received.map((r) => r.messageId)).toEqual(['msg-1', 'msg-2', 'msg-3']);
    expect(received[0]).toEqual({
      body: { jobId: 'job-1', seq: 1 },
      messageId: 'msg-1',
      messageGroupId: 'job-1',
      deduplicationId: 'd-1',
      sequenceNumber: '18000000000000000000',
      eventType: 'JobCreated',
      receiveCount: 2,
      record: event.Records[0],
    });
    expect(received[2].eventType).toBeUndefined();
  });

  test('passes the Lambda context to the record handler', async () => {
    const context = { awsRequestId: 'req-1' } as Context;
    const contexts: (Context | undefined)[] = [];
    const handler = fifoBatchHandler((_record, ctx) => void contexts.push(ctx));

    await handler(sqsFifoEvent(messages(['g', 'g'])), context);

    expect(contexts).toEqual([context, context]);
  });

  test('by default a failure at record 2 of 5 reports records 2 to 5 and stops calling the handler', async () => {
    const { seen, handler: recordHandler } = tracingHandler(['msg-2']);
    const logger = recordingLogger();
    const handler = fifoBatchHandler(recordHandler, { logger });

    const response = await handler(sqsFifoEvent(messages(['job-a', 'job-b', 'job-c', 'job-d', 'job-e'])));

    expect(failedIds(response)).toEqual(['msg-2', 'msg-3', 'msg-4', 'msg-5']);
    expect(seen).toEqual(['msg-1', 'msg-2']);
    expect(logger.entries).toEqual([
      ['FIFO record failed', { messageId: 'msg-2', messageGroupId: 'job-b', error: { name: 'Error', message: 'cannot process msg-2' } }],
    ]);
  });

  test('with skipGroupOnError only the failing group stops; other groups are processed', async () => {
    const { seen, handler: recordHandler } = tracingHandler(['msg-2']);
    const handler = fifoBatchHandler(recordHandler, { skipGroupOnError: true, logger: recordingLogger() });
    // A and B interleaved; B fails at its first record (msg-2).
    const event = sqsFifoEvent(messages(['A', 'B', 'A', 'B', 'A', 'B']));

    const response = await handler(event);

    expect(failedIds(response)).toEqual(['msg-2', 'msg-4', 'msg-6']);
    expect(seen).toEqual(['msg-1', 'msg-2', 'msg-3', 'msg-5']);
  });

  test('with skipGroupOnError a group keeps its successes from before its failure', async () => {
    const { seen, handler: recordHandler } = tracingHandler(['msg-3']);
    const handler = fifoBatchHandler(recordHandler, { skipGroupOnError: true, logger: recordingLogger() });

    const response = await handler(sqsFifoEvent(messages(['A', 'B', 'A', 'B', 'A'])));

    expect(failedIds(response)).toEqual(['msg-3', 'msg-5']);
    expect(seen).toEqual(['msg-1', 'msg-2', 'msg-3', 'msg-4']);
  });

  test('a body that is not JSON fails its record, not the invocation', async () => {
    const { seen, handler: recordHandler } = tracingHandler();
    const logger = recordingLogger();
    const handler = fifoBatchHandler(recordHandler, { logger });
    const event = sqsFifoEvent([
      { groupId: 'g', body: { jobId: 'j', seq: 1 } },
      { groupId: 'g', body: '{"jobId": "j", seq' },
      { groupId: 'g', body: { jobId: 'j', seq: 3 } },
    ]);

    const response = await handler(event);

    expect(failedIds(response)).toEqual(['msg-2', 'msg-3']);
    expect(seen).toEqual(['msg-1']);
    expect(logger.entries).toHaveLength(1);
    expect(logger.entries[0][1]).toMatchObject({
      messageId: 'msg-2',
      error: { name: 'FifoRecordParseError', message: expect.stringMatching(/^Cannot parse the body of SQS message msg-2: /) },
    });
  });

  // The batch processor reads `.message` of what was thrown: null or undefined would throw inside it, failing the
  // whole invocation, so SQS would redeliver the records that succeeded too.
  test.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'gateway said no'],
    ['a number', 0],
    ['a plain object', { code: 'E_DOWN' }],
    ['an object without a prototype', Object.create(null)],
  ])('a record handler that throws %s fails that record only', async (_, thrown) => {
    const logger = recordingLogger();
    const seen: string[] = [];
    const handler = fifoBatchHandler<JobEvent>(async (record) => {
      seen.push(record.messageId);
      if (record.messageId === 'msg-2') throw thrown;
    }, { skipGroupOnError: true, logger });

    const response = await handler(sqsFifoEvent(messages(['A', 'B', 'A', 'B'])));

    expect(failedIds(response)).toEqual(['msg-2', 'msg-4']);
    expect(seen).toEqual(['msg-1', 'msg-2', 'msg-3']);
    expect(logger.entries).toHaveLength(1);
    expect(logger.entries[0][1]).toMatchObject({ messageId: 'msg-2', error: { name: 'NonErrorThrownError' } });
  });

  test('a batch whose only record is malformed returns it as failed instead of throwing', async () => {
    const handler = fifoBatchHandler(tracingHandler().handler, { logger: recordingLogger() });

    const response = await handler(sqsFifoEvent([{ groupId: 'g', body: 'not json' }]));

    expect(failedIds(response)).toEqual(['msg-1']);
  });

  test('throwOnFullBatchFailure makes a fully failed batch throw', async () => {
    const handler = fifoBatchHandler(tracingHandler(['msg-1']).handler, { throwOnFullBatchFailure: true, logger: recordingLogger() });

    await expect(handler(sqsFifoEvent(messages(['g', 'g'])))).rejects.toThrow(expect.objectContaining({ name: 'FullBatchFailureError' }));
  });

  test('throwOnFullBatchFailure still returns partial failures when some records succeeded', async () => {
    const handler = fifoBatchHandler(tracingHandler(['msg-2']).handler, { throwOnFullBatchFailure: true, logger: recordingLogger() });

    const response = await handler(sqsFifoEvent(messages(['g', 'g'])));

    expect(failedIds(response)).toEqual(['msg-2']);
  });

  test('a custom parseBody replaces JSON.parse, and its errors fail the record', async () => {
    const bodies: unknown[] = [];
    const handler = fifoBatchHandler<number>((record) => void bodies.push(record.body), {
      parseBody: (body) => {
        const n = Number(body);
        if (Number.isNaN(n)) throw new Error('not a number');
        return n;
      },
      logger: recordingLogger(),
    });

    const response = await handler(sqsFifoEvent([{ groupId: 'g', body: '41' }, { groupId: 'h', body: 'forty-two' }]));

    expect(bodies).toEqual([41]);
    expect(failedIds(response)).toEqual(['msg-2']);
  });

  test('a record without MessageGroupId (not from a FIFO queue) is reported failed', async () => {
    const { seen, handler: recordHandler } = tracingHandler();
    const logger = recordingLogger();
    const handler = fifoBatchHandler(recordHandler, { logger });
    const record = sqsFifoRecord({ groupId: 'g', body: { jobId: 'j', seq: 1 } });
    delete (record.attributes as { MessageGroupId?: string }).MessageGroupId;

    const response = await handler({ Records: [record] });

    expect(failedIds(response)).toEqual(['msg-1']);
    expect(seen).toEqual([]);
    expect(logger.entries[0][1]).toMatchObject({ error: { name: 'NotAFifoRecordError' } });
  });

  test('keeps no state between invocations: a failed batch does not affect the next one', async () => {
    const { seen, handler: recordHandler } = tracingHandler(['msg-1']);
    const handler = fifoBatchHandler(recordHandler, { logger: recordingLogger() });

    const first = await handler(sqsFifoEvent(messages(['g', 'g'])));
    const second = await handler(sqsFifoEvent([{ messageId: 'next-1', groupId: 'g', body: { jobId: 'g', seq: 1 } }]));

    expect(failedIds(first)).toEqual(['msg-1', 'msg-2']);
    expect(second).toEqual({ batchItemFailures: [] });
    expect(seen).toEqual(['msg-1', 'next-1']);
  });

  test('FifoRecordParseError carries the message id', () => {
    const error = new FifoRecordParseError('m-9', 'Unexpected token');

    expect(error).toMatchObject({ name: 'FifoRecordParseError', messageId: 'm-9', message: 'Cannot parse the body of SQS message m-9: Unexpected token' });
  });
});
