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
import { content, MemoryVersion, memoryVersion } from './fixtures';
import { MotoS3, startMotoS3 } from './moto-s3';
import { createHandler, handler, settingsFromEnvironment, SyncSettings } from '../../../lambda/efs-model-sync/index';
import { currentVersion } from '../../../lambda/efs-model-sync/install';
import { versionId } from '../../../lambda/efs-model-sync/manifest';
import { S3ModelFiles } from '../../../lambda/efs-model-sync/s3-files';
import { EFS_INFERENCE_ENV, MODEL_LAYOUT, ModelSyncRequest } from '../../../lib/efs-inference/contract';

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

function cfnEvent(requestType: 'Create' | 'Update' | 'Delete', request: ModelSyncRequest, physicalResourceId?: string) {
  return {
    RequestType: requestType,
    ResponseURL: responseUrl,
    StackId: 'arn:aws:cloudformation:us-east-1:111111111111:stack/S/1',
    RequestId: 'request-1',
    LogicalResourceId: 'ModelVersion',
    PhysicalResourceId: physicalResourceId,
    ResourceProperties: { ServiceToken: 'arn', Request: JSON.stringify(request) },
  };
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

  test('a sync still running near the function timeout answers FAILED instead of leaving the stack waiting', async () => {
    // A read that never ends, as from a bucket that cannot be reached.
    const stuck = Object.assign(Object.create(S3ModelFiles.prototype), { open: () => new Promise(() => undefined) }) as S3ModelFiles;
    const context = { getRemainingTimeInMillis: () => 10_000 + 20 };
    await createHandler(settings(), stuck)(cfnEvent('Create', filesIn(v1, 'unreachable')), context as any);
    expect(responses[0]).toMatchObject({ Status: 'FAILED', Reason: 'model sync failed: Error: the sync did not finish within the function timeout (raise syncTimeout)' });
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
  const s3Event = (key: string, bucket: string) => ({ Records: [{ s3: { bucket: { name: bucket }, object: { key } } }] });
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
