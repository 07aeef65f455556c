/** The sync's install logic run for real on a temporary directory standing in for the EFS mount. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { content, memoryOpener, memoryVersion, sha256 } from './fixtures';
import { currentVersion, installVersion } from '../../../lambda/efs-model-sync/install';
import { checkVersionFiles, ModelVersionRejectedError, parseManifest, versionId } from '../../../lambda/efs-model-sync/manifest';
import { MODEL_LAYOUT, ModelFile } from '../../../lib/efs-inference/contract';

const newRoot = () => mkdtempSync(join(tmpdir(), 'efs-sync-root-'));
const versionsOf = (root: string) => readdirSync(join(root, MODEL_LAYOUT.versionsDir)).sort();

const v1 = memoryVersion({ 'model.onnx': content('v1', 300_000), 'labels/classes.json': '["a","b"]' });
const v2 = memoryVersion({ 'model.onnx': content('v2', 300_000) });
const v3 = memoryVersion({ 'model.onnx': content('v3', 1_000) });
const opener = memoryOpener([v1, v2, v3]);
const install = (root: string, files: ModelFile[], options: Partial<Parameters<typeof installVersion>[2]> = {}) =>
  installVersion(root, files, { retainedVersions: 3, openFile: opener, ...options });

test('installs a version into its own directory and points current at it', async () => {
  const root = newRoot();
  const result = await install(root, v1.files);
  expect(result).toEqual({ version: versionId(v1.files), copied: true, removed: [] });
  expect(readlinkSync(join(root, MODEL_LAYOUT.currentLink))).toBe(`versions/${result.version}`);
  const dir = join(root, MODEL_LAYOUT.versionsDir, result.version);
  expect(sha256(readFileSync(join(dir, 'model.onnx')))).toBe(v1.files[0].sha256);
  expect(readFileSync(join(dir, 'labels', 'classes.json'), 'utf8')).toBe('["a","b"]');
  expect(readdirSync(root).sort()).toEqual([MODEL_LAYOUT.currentLink, MODEL_LAYOUT.historyFile, MODEL_LAYOUT.versionsDir].sort());
});

test('a version already on the file system is made current without copying it again', async () => {
  const root = newRoot();
  await install(root, v1.files);
  await install(root, v2.files);
  const again = await install(root, [...v1.files].reverse());
  expect(again).toMatchObject({ version: versionId(v1.files), copied: false });
  expect(await currentVersion(root)).toBe(versionId(v1.files));
});

test('a checksum mismatch refuses the version: the pointer stays, nothing is left behind', async () => {
  const root = newRoot();
  await install(root, v1.files);
  const before = versionsOf(root);
  const corrupted = memoryOpener([v2], new Set([v2.files[0].key]));
  const error = await install(root, v2.files, { openFile: corrupted }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ModelVersionRejectedError);
  expect((error as Error).message).toMatch(new RegExp(`model.onnx \\(s3://model-bucket/${v2.files[0].key}\\) has SHA-256 [0-9a-f]{64}, expected ${v2.files[0].sha256}`));
  expect(await currentVersion(root)).toBe(versionId(v1.files));
  expect(versionsOf(root)).toEqual(before);
});

test('versions beyond the retained number are deleted, oldest first by when they were made current', async () => {
  const root = newRoot();
  await install(root, v1.files, { retainedVersions: 2 });
  await install(root, v2.files, { retainedVersions: 2 });
  await install(root, v1.files, { retainedVersions: 2 });
  const third = await install(root, v3.files, { retainedVersions: 2 });
  // v2 was made current before v1's second turn: it goes.
  expect(third.removed).toEqual([versionId(v2.files)]);
  expect(versionsOf(root)).toEqual([versionId(v1.files), versionId(v3.files)].sort());
});

test('leftovers of an interrupted sync are removed once stale, never while fresh', async () => {
  const root = newRoot();
  await install(root, v1.files);
  const staging = join(root, MODEL_LAYOUT.versionsDir, `${MODEL_LAYOUT.stagingPrefix}abc-123`);
  mkdirSync(staging);
  await install(root, v2.files);
  expect(existsSync(staging)).toBe(true);
  const hourAgo = new Date(Date.now() - 2 * 60 * 60 * 1000);
  utimesSync(staging, hourAgo, hourAgo);
  await install(root, v3.files);
  expect(existsSync(staging)).toBe(false);
});

test('a version without the file the inference function loads is refused before anything is copied', async () => {
  const root = newRoot();
  await expect(install(root, v1.files.filter((f) => f.path !== 'model.onnx'), { requiredFile: 'model.onnx' }))
    .rejects.toThrow('the version has no model.onnx, which the inference function loads');
  expect(existsSync(join(root, MODEL_LAYOUT.versionsDir))).toBe(false);
});

describe('version files', () => {
  const file = (path: string, sha = 'a'.repeat(64)): ModelFile => ({ path, sha256: sha, bucket: 'b', key: path });
  test.each([
    ['an escape from the version directory', [file('../evil')], /is not a plain relative path/],
    ['an absolute path', [file('/etc/passwd')], /is not a plain relative path/],
    ['a dot segment', [file('a/./b')], /is not a plain relative path/],
    ['an empty segment', [file('a//b')], /is not a plain relative path/],
    ['a path listed twice', [file('a'), file('a')], /a is listed twice/],
    ['a file that is also a directory', [file('a'), file('a/b')], /a is listed as a file and as the directory of a\/b/],
    ['a checksum that is not hex', [file('a', 'xyz')], /checksum "xyz" is not a lower-case SHA-256 hex digest/],
    ['no file at all', [], /the version lists no files/],
  ])('refuses %s', (_what, files, message) => {
    expect(() => checkVersionFiles(files)).toThrow(message);
  });

  test('the version name depends on the files alone, not on their order', () => {
    expect(versionId(v1.files)).toBe(versionId([...v1.files].reverse()));
    expect(versionId(v1.files)).toMatch(/^[0-9a-f]{16}$/);
    expect(versionId(v1.files)).not.toBe(versionId(v2.files));
  });
});

describe('the SHA256SUMS manifest', () => {
  const a = 'a'.repeat(64);
  const B = 'B'.repeat(64);
  test('reads sha256sum output (text and binary markers, ./ prefixes, comments, CRLF)', () => {
    const text = `# model v7\r\n${a}  model.onnx\r\n${B} *./vocab/tokens.txt\n\n`;
    expect(parseManifest(text, 'bucket', 'models/ranker/')).toEqual([
      { path: 'model.onnx', sha256: a, bucket: 'bucket', key: 'models/ranker/model.onnx' },
      { path: 'vocab/tokens.txt', sha256: 'b'.repeat(64), bucket: 'bucket', key: 'models/ranker/vocab/tokens.txt' },
    ]);
  });

  test('names the line it cannot read', () => {
    expect(() => parseManifest(`${a}  ok\nnot a checksum line`, 'b', '')).toThrow('SHA256SUMS line 2 is not "<sha256 hex>  <path>": "not a checksum line"');
  });
});
