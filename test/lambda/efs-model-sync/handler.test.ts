/**
 * The sync function's handler: CloudFormation custom resource requests (answered on a local HTTP server standing in
 * for the pre-signed response URL), S3 manifest notifications, and its S3 reads. S3 has no local emulator here, so
 * the client is mocked and the exact requests are asserted; the file system work is real.
 */
import { once } from 'node:events';
import { mkdtempSync, readdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, NoSuchKey, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { content, MemoryVersion, memoryVersion } from './fixtures';
import { createHandler, handler, settingsFromEnvironment, SyncSettings } from '../../../lambda/efs-model-sync/index';
import { currentVersion } from '../../../lambda/efs-model-sync/install';
import { versionId } from '../../../lambda/efs-model-sync/manifest';
import { S3ModelFiles } from '../../../lambda/efs-model-sync/s3-files';
import { EFS_INFERENCE_ENV, MODEL_LAYOUT, ModelSyncRequest } from '../../../lib/efs-inference/contract';

const s3 = mockClient(S3Client);
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
});
afterAll(() => server.close());

beforeEach(() => {
  responses = [];
  s3.reset();
  jest.spyOn(console, 'info').mockImplementation(() => undefined);
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  jest.spyOn(console, 'error').mockImplementation(() => undefined);
});

/** Serves the objects of `versions` from the mocked S3 (with `overrides` replacing some bodies). */
function serve(versions: MemoryVersion[], overrides: Record<string, Buffer | string> = {}): void {
  const objects = new Map<string, Buffer>(versions.flatMap((v) => [...v.objects]));
  for (const [key, body] of Object.entries(overrides)) objects.set(key, Buffer.from(body));
  s3.on(GetObjectCommand).callsFake((input: { Bucket: string; Key: string }) => {
    const body = objects.get(input.Key);
    if (!body) throw new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} });
    // A stream with the SDK's string helper, as GetObject returns in Node.
    return { Body: Object.assign(Readable.from([body]), { transformToString: async () => body.toString('utf8') }) };
  });
}

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
const files = (v: MemoryVersion): ModelSyncRequest => ({ kind: 'files', files: v.files });
const manifestOf = (v: MemoryVersion) => v.files.map((f) => `${f.sha256}  ${f.path}`).join('\n');

describe('as a CloudFormation custom resource', () => {
  test('Create installs the version, reads exactly its objects and answers SUCCESS with the version', async () => {
    serve([v1]);
    const s = settings();
    await createHandler(s, new S3ModelFiles(new S3Client({})))(cfnEvent('Create', files(v1)));
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
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual(v1.files.map((f) => ({ Bucket: 'model-bucket', Key: f.key })));
    expect(await currentVersion(s.modelRoot)).toBe(versionId(v1.files));
  });

  test('an Update whose file fails its checksum answers FAILED naming the file, and the pointer stays', async () => {
    serve([v1, v2], { [v2.files[0].key]: 'tampered' });
    const s = settings();
    const sync = createHandler(s, new S3ModelFiles(new S3Client({})));
    await sync(cfnEvent('Create', files(v1)));
    await sync(cfnEvent('Update', files(v2), `efs-model:${s.modelRoot}`));
    expect(responses[1]).toMatchObject({ Status: 'FAILED', PhysicalResourceId: `efs-model:${s.modelRoot}` });
    expect(responses[1].Reason).toMatch(/^model sync failed: model.onnx \(s3:\/\/model-bucket\/.*\) has SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}: the version was not installed$/);
    expect(await currentVersion(s.modelRoot)).toBe(versionId(v1.files));
  });

  test('Delete answers SUCCESS and leaves the files (a rollback may need them)', async () => {
    serve([v1]);
    const s = settings();
    const sync = createHandler(s, new S3ModelFiles(new S3Client({})));
    await sync(cfnEvent('Create', files(v1)));
    await sync(cfnEvent('Delete', files(v1), `efs-model:${s.modelRoot}`));
    expect(responses[1]).toMatchObject({ Status: 'SUCCESS', PhysicalResourceId: `efs-model:${s.modelRoot}` });
    expect(await currentVersion(s.modelRoot)).toBe(versionId(v1.files));
  });

  test('an S3 prefix source installs what its manifest lists', async () => {
    const s = settings();
    // The manifest's files live under the prefix: point the prefix keys at v1's content.
    serve([v1], {
      [`models/m/${MODEL_LAYOUT.manifestFile}`]: manifestOf(v1),
      'models/m/model.onnx': v1.objects.get(v1.files[0].key)!,
      'models/m/vocab.txt': v1.objects.get(v1.files[1].key)!,
    });
    await createHandler(s, new S3ModelFiles(new S3Client({})))(cfnEvent('Create', { kind: 'prefix', bucket: 'model-bucket', prefix: 'models/m/' }));
    expect(responses[0]).toMatchObject({ Status: 'SUCCESS', Data: { Version: versionId(v1.files) } });
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input.Key)).toEqual(['models/m/SHA256SUMS', 'models/m/model.onnx', 'models/m/vocab.txt']);
  });

  test('an S3 prefix with no manifest yet answers FAILED saying nothing is published', async () => {
    serve([]);
    await createHandler(settings(), new S3ModelFiles(new S3Client({})))(cfnEvent('Create', { kind: 'prefix', bucket: 'b', prefix: 'm/' }));
    expect(responses[0].Status).toBe('FAILED');
    expect(responses[0].Reason).toBe('model sync failed: no model is published: s3://b/m/SHA256SUMS does not exist (upload the files, then this manifest)');
  });

  test('a sync still running near the function timeout answers FAILED instead of leaving the stack waiting', async () => {
    s3.on(GetObjectCommand).callsFake(() => new Promise(() => undefined));
    const context = { getRemainingTimeInMillis: () => 10_000 + 20 };
    await createHandler(settings(), new S3ModelFiles(new S3Client({})))(cfnEvent('Create', files(v1)), context as any);
    expect(responses[0]).toMatchObject({ Status: 'FAILED', Reason: 'model sync failed: Error: the sync did not finish within the function timeout (raise syncTimeout)' });
  });

  test('a misconfigured function still answers CloudFormation (FAILED) instead of leaving the stack waiting', async () => {
    const saved = process.env[EFS_INFERENCE_ENV.MODEL_ROOT];
    delete process.env[EFS_INFERENCE_ENV.MODEL_ROOT];
    try {
      await handler(cfnEvent('Create', files(v1)), {} as any);
    } finally {
      if (saved !== undefined) process.env[EFS_INFERENCE_ENV.MODEL_ROOT] = saved;
    }
    expect(responses[0]).toMatchObject({ Status: 'FAILED', Reason: 'model sync failed: Error: EFS_INFERENCE_MODEL_ROOT is not set' });
  });
});

describe('on an S3 notification', () => {
  const s3Event = (key: string, bucket = 'model-bucket') => ({ Records: [{ s3: { bucket: { name: bucket }, object: { key } } }] });
  const prefixSettings = () => settings({ sourceBucket: 'model-bucket', sourcePrefix: 'models/m/' });

  test('the manifest upload under the prefix installs the published version', async () => {
    serve([], { 'models/m/SHA256SUMS': manifestOf(v2), 'models/m/model.onnx': v2.objects.get(v2.files[0].key)! });
    const s = prefixSettings();
    const results = await createHandler(s, new S3ModelFiles(new S3Client({})))(s3Event('models/m/SHA256SUMS'));
    expect(results).toEqual([{ version: versionId(v2.files), copied: true, removed: [] }]);
    expect(await currentVersion(s.modelRoot)).toBe(versionId(v2.files));
  });

  test('other objects and buckets are ignored', async () => {
    serve([]);
    const s = prefixSettings();
    const sync = createHandler(s, new S3ModelFiles(new S3Client({})));
    expect(await sync(s3Event('models/m/model.onnx'))).toEqual([]);
    expect(await sync(s3Event('models/m/SHA256SUMS', 'other-bucket'))).toEqual([]);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  test('a refused version throws, so the asynchronous invocation is retried and then dead-lettered', async () => {
    serve([], { 'models/m/SHA256SUMS': manifestOf(v2), 'models/m/model.onnx': 'tampered' });
    const s = prefixSettings();
    await expect(createHandler(s, new S3ModelFiles(new S3Client({})))(s3Event('models/m/SHA256SUMS'))).rejects.toThrow(/has SHA-256 .* expected/);
    expect(readdirSync(s.modelRoot)).not.toContain(MODEL_LAYOUT.currentLink);
  });
});

test('settings come from the environment the construct sets, and bad ones are refused', () => {
  expect(settingsFromEnvironment({ EFS_INFERENCE_MODEL_ROOT: '/mnt/models', EFS_INFERENCE_RETAINED_VERSIONS: '4', EFS_INFERENCE_MODEL_FILE: 'm.onnx' }))
    .toEqual({ modelRoot: '/mnt/models', retainedVersions: 4, requiredFile: 'm.onnx', sourceBucket: undefined, sourcePrefix: '' });
  expect(() => settingsFromEnvironment({ EFS_INFERENCE_MODEL_ROOT: '/mnt/models', EFS_INFERENCE_RETAINED_VERSIONS: '0' })).toThrow('must be a positive integer');
});
