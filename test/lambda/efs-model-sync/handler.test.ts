/**
 * The sync function's handler: CloudFormation custom resource requests (answered on a local HTTP server standing in
 * for the pre-signed response URL), S3 manifest notifications, and its S3 reads from moto's S3 server. The file
 * system work is real.
 */
import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { content, MemoryVersion, memoryVersion } from './fixtures';
import { MotoS3, startMotoS3 } from './moto-s3';
import { createHandler, handler, settingsFromEnvironment, SyncSettings } from '../../../lambda/efs-model-sync/index';
import { currentVersion } from '../../../lambda/efs-model-sync/install';
import { versionId } from '../../../lambda/efs-model-sync/manifest';
import { S3ModelFiles } from '../../../lambda/efs-model-sync/s3-files';
import { EFS_INFERENCE_ENV, MODEL_LAYOUT, ModelFile, ModelSyncRequest } from '../../../lib/efs-inference/contract';

let s3: MotoS3;
let files: S3ModelFiles;
let server: Server;
let responses: Array<Record<string, any>>;
let responseUrl: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      responses.push({ method: req.method, ...JSON.parse(body) });
      res.end();
    });
  }).listen(0, '127.0.0.1');
  await once(server, 'listening');
  responseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/response`;
  s3 = await startMotoS3();
  files = new S3ModelFiles(s3.client);
}, 180_000); // a first run installs moto's pinned virtualenv
afterAll(() => {
  server.close();
  s3?.stop();
});

beforeEach(() => {
  responses = [];
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

let buckets = 0;
/** A new bucket holding the objects of `versions` (with `overrides` replacing or adding some); its name. */
async function bucketWith(versions: MemoryVersion[], overrides: Record<string, Buffer | string> = {}): Promise<string> {
  const name = `models-${++buckets}`;
  await s3.bucket(name, { ...Object.fromEntries(versions.flatMap((v) => [...v.objects])), ...overrides });
  return name;
}

/** The version's files as read from `bucket`. */
const filesIn = (v: MemoryVersion, bucket: string): ModelSyncRequest => ({ kind: 'files', files: v.files.map((f) => ({ ...f, bucket })) });

function settings(overrides: Partial<SyncSettings> = {}): SyncSettings {
  return { modelRoot: mkdtempSync(join(tmpdir(), 'efs-sync-handler-')), retainedVersions: 3, requiredFile: 'model.onnx', ...overrides };
}

function cfnEvent(
  requestType: 'Create' | 'Update' | 'Delete', request: ModelSyncRequest, physicalResourceId?: string,
  options: { signedAt?: string; serviceTimeout?: string } = {},
) {
  // CloudFormation's response URL is pre-signed: X-Amz-Date is when it made the request.
  const signedAt = options.signedAt ?? new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  return {
    RequestType: requestType,
    ResponseURL: `${responseUrl}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${signedAt}&X-Amz-Expires=7200`,
    StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/S/1',
    RequestId: 'request-1',
    LogicalResourceId: 'ModelVersion',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: { ServiceToken: 'arn', Request: JSON.stringify(request), ...(options.serviceTimeout ? { ServiceTimeout: options.serviceTimeout } : {}) },
  };
}

/** The moto-backed reader, each chunk of every body delayed by `delayMs`; counts the chunks read. */
function slowFiles(delayMs: number) {
  let chunks = 0;
  const slow = Object.create(files) as S3ModelFiles;
  Object.defineProperty(slow, 'open', {
    value: async (file: ModelFile, signal?: AbortSignal) => {
      const body = await files.open(file, signal);
      return Readable.from((async function* () {
        for await (const chunk of body) {
          chunks++;
          await sleep(delayMs);
          yield chunk;
        }
      })());
    },
  });
  return { files: slow, chunks: () => chunks };
}

const v1 = memoryVersion({ 'model.onnx': content('v1', 100_000), 'vocab.txt': 'a\nb\n' });
const v2 = memoryVersion({ 'model.onnx': content('v2', 100_000) });
const manifestOf = (v: MemoryVersion) => v.files.map((f) => `${f.sha256}  ${f.path}`).join('\n');
/** The version published under `models/m/`: its files, then its manifest. */
const publishedUnderPrefix = (v: MemoryVersion, overrides: Record<string, string> = {}) => ({
  ...Object.fromEntries(v.files.map((f) => [`models/m/${f.path}`, v.objects.get(f.key)!])),
  [`models/m/${MODEL_LAYOUT.manifestFile}`]: manifestOf(v),
  ...overrides,
});

describe('as a CloudFormation custom resource', () => {
  test('Create installs the version and answers SUCCESS with the version', async () => {
    const bucket = await bucketWith([v1]);
    const s = settings();
    await createHandler(s, files)(cfnEvent('Create', filesIn(v1, bucket)));
    expect(responses).toEqual([{
      method: 'PUT',
      Status: 'SUCCESS',
      Reason: 'SUCCESS',
      PhysicalResourceId: `efs-model:${s.modelRoot}`,
      StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/S/1',
      RequestId: 'request-1',
      LogicalResourceId: 'ModelVersion',
      Data: { Version: versionId(v1.files) },
    }]);
    expect(await currentVersion(s.modelRoot)).toBe(versionId(v1.files));
  });

  test('an Update whose file fails its checksum answers FAILED naming the file, and the pointer stays', async () => {
    const bucket = await bucketWith([v1, v2], { [v2.files[0].key]: 'tampered' });
    const s = settings();
    const sync = createHandler(s, files);
    await sync(cfnEvent('Create', filesIn(v1, bucket)));
    await sync(cfnEvent('Update', filesIn(v2, bucket), `efs-model:${s.modelRoot}`));
    expect(responses[1]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: `efs-model:${s.modelRoot}` });
    expect(responses[1].Reason).toMatch(/^model sync failed: model.onnx \(s3:\/\/models-\d+\/.*\) has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}: the version was not installed$/);
    expect(await currentVersion(s.modelRoot)).toBe(versionId(v1.files));
  });

  test('a file missing from the bucket answers FAILED, and the pointer stays', async () => {
    const bucket = await bucketWith([v1]);
    const s = settings();
    const sync = createHandler(s, files);
    await sync(cfnEvent('Create', filesIn(v1, bucket)));
    await sync(cfnEvent('Update', filesIn(v2, bucket), `efs-model:${s.modelRoot}`));
    expect(responses[1]).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/^model sync failed: NoSuchKey/) });
    expect(await currentVersion(s.modelRoot)).toBe(versionId(v1.files));
  });

  test('Delete answers SUCCESS and leaves the files (a rollback may need them)', async () => {
    const bucket = await bucketWith([v1]);
    const s = settings();
    const sync = createHandler(s, files);
    await sync(cfnEvent('Create', filesIn(v1, bucket)));
    await sync(cfnEvent('Delete', filesIn(v1, bucket), `efs-model:${s.modelRoot}`));
    expect(responses[1]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `efs-model:${s.modelRoot}` });
    expect(await currentVersion(s.modelRoot)).toBe(versionId(v1.files));
  });

  test('an S3 prefix source installs what its manifest lists', async () => {
    const bucket = await bucketWith([], publishedUnderPrefix(v1));
    await createHandler(settings(), files)(cfnEvent('Create', { kind: 'prefix', bucket, prefix: 'models/m/' }));
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS', Data: { Version: versionId(v1.files) } });
  });

  test('an S3 prefix with no manifest yet answers FAILED saying nothing is published', async () => {
    const bucket = await bucketWith([]);
    await createHandler(settings(), files)(cfnEvent('Create', { kind: 'prefix', bucket, prefix: 'm/' }));
    expect(responses[0].Status).toBe('FAILED');
    expect(responses[0].Reason).toBe(`model sync failed: no model is published: s3://${bucket}/m/SHA256SUMS does not exist (upload the files, then this manifest)`);
  });

  test('at its deadline the sync is stopped: the copy ends, its staging folder goes, the pointer stays, then FAILED is answered', async () => {
    const big = memoryVersion({ 'model.onnx': content('big', 1_000_000) });
    const bucket = await bucketWith([v1, big]);
    const s = settings();
    await createHandler(s, files)(cfnEvent('Create', filesIn(v1, bucket)));
    const slow = slowFiles(10);
    // 100 ms left before the margin the function keeps to answer: the copy of 1 MB takes several times that.
    const context = { getRemainingTimeInMillis: () => 10_000 + 100 };
    await createHandler(s, slow.files)(cfnEvent('Update', filesIn(big, bucket), 'efs-model:x'), context as any);
    expect(responses[1]).toMatchObject({ Status: 'FAILED', Reason: expect.stringMatching(/did not finish in time and was stopped \(raise syncTimeout\)$/) });
    const chunksAtAnswer = slow.chunks();
    expect(readdirSync(join(s.modelRoot, MODEL_LAYOUT.versionsDir))).toEqual([versionId(v1.files)]);
    // Long enough for the whole copy to have finished, had it gone on.
    await sleep(2_000);
    expect(slow.chunks()).toBe(chunksAtAnswer);
    expect(await currentVersion(s.modelRoot)).toBe(versionId(v1.files));
    expect(readdirSync(join(s.modelRoot, MODEL_LAYOUT.versionsDir))).toEqual([versionId(v1.files)]);
  });

  test('a request CloudFormation stopped waiting for is answered and changes nothing', async () => {
    const bucket = await bucketWith([v1]);
    const s = settings();
    const twoHoursAgo = new Date(Date.now() - 2 * 3600_000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    const event = cfnEvent('Create', filesIn(v1, bucket), undefined, { signedAt: twoHoursAgo, serviceTimeout: '960' });
    await createHandler(s, files)(event);
    expect(responses[0]).toMatchObject({ Status: 'FAILED', Reason: 'model sync skipped: CloudFormation had stopped waiting for this request' });
    expect(await currentVersion(s.modelRoot)).toBeUndefined();
    expect(readdirSync(s.modelRoot)).toEqual([]);
  });

  test('a request CloudFormation still waits for gets at most its remaining wait', async () => {
    const bucket = await bucketWith([v1]);
    const s = settings();
    // Signed 950 s ago with a 960 s wait: 10 s left, all of them the answering margin.
    const signed = new Date(Date.now() - 950_000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    await createHandler(s, files)(cfnEvent('Create', filesIn(v1, bucket), undefined, { signedAt: signed, serviceTimeout: '960' }));
    expect(responses[0].Status).toBe('FAILED');
    expect(await currentVersion(s.modelRoot)).toBeUndefined();
  });

  test('a misconfigured function still answers CloudFormation (FAILED) instead of leaving the stack waiting', async () => {
    const saved = process.env[EFS_INFERENCE_ENV.MODEL_ROOT];
    delete process.env[EFS_INFERENCE_ENV.MODEL_ROOT];
    try {
      await handler(cfnEvent('Create', filesIn(v1, 'unused')), {} as any);
    } finally {
      if (saved !== undefined) process.env[EFS_INFERENCE_ENV.MODEL_ROOT] = saved;
    }
    expect(responses[0]).toMatchObject({ Status: 'FAILED', Reason: 'model sync failed: Error: EFS_INFERENCE_MODEL_ROOT is not set' });
  });
});

describe('on an S3 notification', () => {
  const s3Event = (key: string, bucket: string, eventTime = new Date().toISOString()) =>
    ({ Records: [{ eventTime, s3: { bucket: { name: bucket }, object: { key } } }] });
  const prefixSettings = (bucket: string) => settings({ sourceBucket: bucket, sourcePrefix: 'models/m/' });

  test('the manifest upload under the prefix installs the published version', async () => {
    const bucket = await bucketWith([], publishedUnderPrefix(v2));
    const s = prefixSettings(bucket);
    const results = await createHandler(s, files)(s3Event('models/m/SHA256SUMS', bucket));
    expect(results).toEqual([{ version: versionId(v2.files), copied: true, removed: [] }]);
    expect(await currentVersion(s.modelRoot)).toBe(versionId(v2.files));
  });

  test('other objects and buckets are ignored', async () => {
    const bucket = await bucketWith([], publishedUnderPrefix(v2));
    const s = prefixSettings(bucket);
    const sync = createHandler(s, files);
    expect(await sync(s3Event('models/m/model.onnx', bucket))).toEqual([]);
    expect(await sync(s3Event('models/m/SHA256SUMS', 'other-bucket'))).toEqual([]);
    expect(readdirSync(s.modelRoot)).toEqual([]);
  });

  test('a notification older than the deploy CloudFormation waited on (a retry arriving late) changes nothing', async () => {
    const bucket = await bucketWith([v1], publishedUnderPrefix(v2));
    const s = prefixSettings(bucket);
    const sync = createHandler(s, files);
    const published = new Date(Date.now() - 60_000).toISOString();
    // The deploy of v1 (requested now) ran first; the publication of a minute ago is retried only afterwards.
    await sync(cfnEvent('Update', filesIn(v1, bucket), 'efs-model:x'));
    expect(responses[0].Status).toBe('SUCCESS');
    expect(await sync(s3Event('models/m/SHA256SUMS', bucket, published))).toEqual([{ version: versionId(v1.files), copied: false, removed: [], superseded: true }]);
    expect(await currentVersion(s.modelRoot)).toBe(versionId(v1.files));
    expect(readdirSync(join(s.modelRoot, MODEL_LAYOUT.versionsDir))).toEqual([versionId(v1.files)]);
    // A publication after the deploy is applied.
    await sync(s3Event('models/m/SHA256SUMS', bucket, new Date(Date.now() + 1_000).toISOString()));
    expect(await currentVersion(s.modelRoot)).toBe(versionId(v2.files));
  });

  test('without s3:ListBucket a missing manifest is 403, reported as not published (or not readable)', async () => {
    const denied = Object.assign(new Error('Access Denied'), { name: 'AccessDenied' });
    const noList = new S3ModelFiles({ send: async () => { throw denied; } } as any);
    await expect(noList.manifest('b', 'models/m/')).rejects.toThrow(/^no model is published, or it cannot be read: s3:\/\/b\/models\/m\/SHA256SUMS answered 403 AccessDenied/);
  });

  test('a refused version throws, so the asynchronous invocation is retried and then dead-lettered', async () => {
    const bucket = await bucketWith([], publishedUnderPrefix(v2, { 'models/m/model.onnx': 'tampered' }));
    const s = prefixSettings(bucket);
    await expect(createHandler(s, files)(s3Event('models/m/SHA256SUMS', bucket))).rejects.toThrow(/has SHA-256 .* expected/);
    expect(readdirSync(s.modelRoot)).not.toContain(MODEL_LAYOUT.currentLink);
  });
});

test('settings come from the environment the construct sets, and bad ones are refused', () => {
  expect(settingsFromEnvironment({ EFS_INFERENCE_MODEL_ROOT: '/mnt/models', EFS_INFERENCE_RETAINED_VERSIONS: '4', EFS_INFERENCE_MODEL_FILE: 'm.onnx' }))
    .toEqual({ modelRoot: '/mnt/models', retainedVersions: 4, requiredFile: 'm.onnx', sourceBucket: undefined, sourcePrefix: '' });
  expect(() => settingsFromEnvironment({ EFS_INFERENCE_MODEL_ROOT: '/mnt/models', EFS_INFERENCE_RETAINED_VERSIONS: '0' })).toThrow('must be a positive integer');
});
