/**
 * The pipe state check against moto's Pipes API: the signed DescribePipe the handler makes, the states it reads,
 * and the metric it writes for each.
 */
import { checkPipes } from '../../../lambda/pipe-state-checker/check';
import { describePipeClient, signedGetHeaders } from '../../../lambda/pipe-state-checker/describe-pipe';
import { MOTO_CREDENTIALS, MotoServer, startMotoServer } from '../../support/moto-server';

jest.setTimeout(60_000);

let moto: MotoServer;
const ARN = 'arn:aws:sqs:us-east-1:123456789012';

beforeAll(async () => {
  moto = await startMotoServer();
  process.env.AWS_ACCESS_KEY_ID = MOTO_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = MOTO_CREDENTIALS.secretAccessKey;
});
afterAll(() => moto?.stop());

/** Calls moto's Pipes REST API (what the console or CloudFormation would do). */
async function pipesApi(method: string, path: string, body?: object): Promise<void> {
  const response = await fetch(`${moto.endpoint}${path}`, {
    method,
    headers: {
      'authorization': 'AWS4-HMAC-SHA256 Credential=local/20300101/us-east-1/pipes/aws4_request, SignedHeaders=host, Signature=0',
      'content-type': 'application/json',
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  expect(response.status).toBeLessThan(300);
}

const metricOf = (line: string) => JSON.parse(line) as Record<string, any>;

test('a running pipe gives 1, a stopped one 0 (with its state), a deleted one 0', async () => {
  await pipesApi('POST', '/v1/pipes/outbox-a', { Source: `${ARN}:a`, Target: `${ARN}:b`, RoleArn: 'arn:aws:iam::123456789012:role/r' });
  await pipesApi('POST', '/v1/pipes/outbox-b', { Source: `${ARN}:c`, Target: `${ARN}:d`, RoleArn: 'arn:aws:iam::123456789012:role/r' });
  await pipesApi('POST', '/v1/pipes/outbox-b/stop');
  const lines: string[] = [];
  const results = await checkPipes(['outbox-a', 'outbox-b', 'never-created'], describePipeClient('us-east-1', moto.endpoint), (l) => lines.push(l), () => 1_700_000_000_000);

  expect(results.map((r) => [r.pipeName, r.currentState, r.running])).toEqual([
    ['outbox-a', 'RUNNING', true],
    ['outbox-b', 'STOPPED', false],
    ['never-created', 'NOT_FOUND', false],
  ]);
  expect(lines.map(metricOf).map((m) => [m.PipeName, m.PipeRunning])).toEqual([['outbox-a', 1], ['outbox-b', 0], ['never-created', 0]]);
  expect(metricOf(lines[1])).toMatchObject({
    currentState: 'STOPPED',
    _aws: { Timestamp: 1_700_000_000_000, CloudWatchMetrics: [{ Namespace: 'CdkServerlessPatterns/Pipes', Dimensions: [['PipeName']], Metrics: [{ Name: 'PipeRunning', Unit: 'Count' }] }] },
  });
});

test('a pipe that cannot be read gets no data point (the alarm treats missing data as breaching) and the run fails', async () => {
  const lines: string[] = [];
  const describe = describePipeClient('us-east-1', moto.endpoint);
  const flaky = async (name: string) => {
    if (name === 'unreadable') throw new Error('throttled');
    return describe(name);
  };
  await expect(checkPipes(['unreadable', 'outbox-a'], flaky, (l) => lines.push(l))).rejects.toThrow(/could not read unreadable: throttled/);
  expect(lines.map(metricOf).map((m) => m.PipeName)).toEqual(['outbox-a']);
});

test('every state other than running and the deployment transitions counts as not running', async () => {
  const states = ['RUNNING', 'CREATING', 'UPDATING', 'STARTING', 'STOPPED', 'STOPPING', 'DELETING', 'CREATE_FAILED', 'UPDATE_FAILED', 'START_FAILED', 'STOP_FAILED'];
  const results = await checkPipes(states, async (name) => ({ currentState: name, stateReason: 'why' }), () => undefined);
  expect(results.filter((r) => r.running).map((r) => r.currentState)).toEqual(['RUNNING', 'CREATING', 'UPDATING', 'STARTING']);
});

test('the signature matches the AWS SigV4 test suite\'s "get-vanilla" case', () => {
  // Credentials, time, region, service and request of the published test case; its expected signature.
  const headers = signedGetHeaders(new URL('https://example.amazonaws.com/'), 'us-east-1', 'service',
    { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' }, new Date('2015-08-30T12:36:00Z'));
  expect(headers.authorization).toBe('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
    'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  expect(headers['x-amz-date']).toBe('20150830T123600Z');
});
