import { PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { failedIds, FIRST_SENT_TIMESTAMP, sqsFifoEvent } from '../runtime/sqs-fifo-event';

const BUCKET = 'job-analytics-bucket';
const s3 = mockClient(S3Client);
type WriterModule = typeof import('../../../lambda/job-analytics-writer');
let handler: WriterModule['handler'];
let analyticsObjectKey: WriterModule['analyticsObjectKey'];
let consoleError: jest.SpyInstance;

beforeAll(() => {
  // The handler reads its environment when the module loads, as it does in Lambda, so load it after setting it.
  // (A dynamic import() would bypass jest's module registry under module=node16.)
  process.env.BUCKET_NAME = BUCKET;
  process.env.AWS_REGION = 'us-east-1';
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  ({ handler, analyticsObjectKey } = require('../../../lambda/job-analytics-writer') as WriterModule);
});

beforeEach(() => {
  s3.reset();
  consoleError = jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

afterEach(() => {
  consoleError.mockRestore();
});

function putInputs() {
  return s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
}

test('writes each job event as a JSON object under job-events/<eventType>/<jobId>/<messageId>.json', async () => {
  s3.on(PutObjectCommand).resolves({});
  const event = sqsFifoEvent([
    { groupId: 'job-1', eventType: 'JobCreated', body: { jobId: 'job-1', title: 'Data engineer', salary: 90000 } },
    { groupId: 'job-1', eventType: 'JobDeleted', body: { jobId: 'job-1' } },
  ]);

  const response = await handler(event);

  expect(response).toEqual({ batchItemFailures: [] });
  expect(putInputs()).toEqual([
    {
      Bucket: BUCKET,
      Key: 'job-events/JobCreated/job-1/msg-1.json',
      ContentType: 'application/json',
      Body: JSON.stringify({
        eventType: 'JobCreated',
        jobId: 'job-1',
        messageId: 'msg-1',
        messageGroupId: 'job-1',
        sequenceNumber: '18000000000000000000',
        sentAt: new Date(FIRST_SENT_TIMESTAMP).toISOString(),
        detail: { jobId: 'job-1', title: 'Data engineer', salary: 90000 },
      }),
    },
    {
      Bucket: BUCKET,
      Key: 'job-events/JobDeleted/job-1/msg-2.json',
      ContentType: 'application/json',
      Body: JSON.stringify({
        eventType: 'JobDeleted',
        jobId: 'job-1',
        messageId: 'msg-2',
        messageGroupId: 'job-1',
        sequenceNumber: '18000000000000000001',
        sentAt: new Date(FIRST_SENT_TIMESTAMP + 1000).toISOString(),
        detail: { jobId: 'job-1' },
      }),
    },
  ]);
});

test('the same message delivered again is written to the same key', async () => {
  s3.on(PutObjectCommand).resolves({});
  const event = sqsFifoEvent([{ messageId: 'm-7', groupId: 'job-7', eventType: 'JobUpdated', body: { jobId: 'job-7' } }]);

  await handler(event);
  await handler(event);

  expect(putInputs().map((input) => input.Key)).toEqual(['job-events/JobUpdated/job-7/m-7.json', 'job-events/JobUpdated/job-7/m-7.json']);
});

test('escapes publisher-supplied path segments so a job id cannot add key levels', () => {
  expect(analyticsObjectKey('JobCreated', 'team/a b', 'm-1')).toBe('job-events/JobCreated/team%2Fa%20b/m-1.json');
  expect(analyticsObjectKey('../x', 'job-1', 'm-1')).toBe('job-events/..%2Fx/job-1/m-1.json');
});

test('an S3 failure holds back only the failing job; other jobs are written', async () => {
  s3.on(PutObjectCommand)
    .resolves({})
    .on(PutObjectCommand, { Key: 'job-events/JobCreated/job-b/msg-2.json' })
    .rejects(new S3ServiceException({ name: 'SlowDown', $fault: 'server', $metadata: {} }));
  const event = sqsFifoEvent([
    { groupId: 'job-a', eventType: 'JobCreated', body: { jobId: 'job-a' } },
    { groupId: 'job-b', eventType: 'JobCreated', body: { jobId: 'job-b' } },
    { groupId: 'job-a', eventType: 'JobUpdated', body: { jobId: 'job-a' } },
    { groupId: 'job-b', eventType: 'JobUpdated', body: { jobId: 'job-b' } },
  ]);

  const response = await handler(event);

  expect(failedIds(response)).toEqual(['msg-2', 'msg-4']);
  expect(putInputs().map((input) => input.Key)).toEqual([
    'job-events/JobCreated/job-a/msg-1.json',
    'job-events/JobCreated/job-b/msg-2.json',
    'job-events/JobUpdated/job-a/msg-3.json',
  ]);
  expect(consoleError).toHaveBeenCalledTimes(1);
});

test.each([
  ['a body without jobId', { groupId: 'g', eventType: 'JobCreated', body: { title: 'x' } }, /is not a job event/],
  ['a body that is not JSON', { groupId: 'g', eventType: 'JobCreated', body: 'job-1' }, /Cannot parse the body/],
  ['a message without the eventType attribute', { groupId: 'g', body: { jobId: 'job-1' } }, /has no eventType message attribute/],
])('reports %s as failed and writes nothing', async (_case, message, logged) => {
  s3.on(PutObjectCommand).resolves({});

  const response = await handler(sqsFifoEvent([message]));

  expect(failedIds(response)).toEqual(['msg-1']);
  expect(putInputs()).toEqual([]);
  expect(consoleError).toHaveBeenCalledWith('FIFO record failed', expect.objectContaining({
    error: expect.objectContaining({ message: expect.stringMatching(logged) }),
  }));
});

test('fails at load time when BUCKET_NAME is missing', () => {
  const bucketName = process.env.BUCKET_NAME;
  delete process.env.BUCKET_NAME;
  try {
    expect(() => jest.isolateModules(() => {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../../lambda/job-analytics-writer');
    })).toThrow('BUCKET_NAME is not set');
  } finally {
    process.env.BUCKET_NAME = bucketName;
  }
});
