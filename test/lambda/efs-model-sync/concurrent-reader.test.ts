/**
 * Safety of the version switch under a concurrent reader in a separate OS process, on the real clock: while versions
 * are installed one after another (and old ones pruned), every read of the current version sees one complete
 * version, never a partial or mixed one.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { content, memoryOpener, memoryVersion } from './fixtures';
import { installVersion } from '../../../lambda/efs-model-sync/install';

const SYNCS = 30;
/** The reader stops by itself after this long even if the writer never signals (the test then fails on `good`). */
const READER_DEADLINE_MS = 60_000;

test('a reader in another process never sees a partial model while versions are switched', async () => {
  const work = mkdtempSync(join(tmpdir(), 'efs-sync-race-'));
  const root = join(work, 'mount');
  const versions = ['a', 'b', 'c'].map((seed) => memoryVersion({ 'model.bin': content(seed, 2 * 1024 * 1024), 'meta.json': JSON.stringify({ seed }) }));
  const openFile = memoryOpener(versions);
  const options = { retainedVersions: 2, openFile };
  await installVersion(root, versions[0].files, options);

  const versionsFile = join(work, 'versions.json');
  writeFileSync(versionsFile, JSON.stringify(versions.map((v) => Object.fromEntries(v.files.map((f) => [f.path, f.sha256])))));
  const stopFile = join(work, 'stop');
  const resultFile = join(work, 'result.json');
  const reader = spawn(process.execPath, [join(__dirname, 'reader-process.js'), root, versionsFile, stopFile, resultFile, String(Date.now() + READER_DEADLINE_MS)], { stdio: 'inherit' });
  const exited = new Promise<number | null>((resolve) => reader.on('exit', resolve));

  for (let i = 1; i <= SYNCS; i++) await installVersion(root, versions[i % versions.length].files, options);
  writeFileSync(stopFile, '');
  expect(await exited).toBe(0);

  const result = JSON.parse(readFileSync(resultFile, 'utf8')) as { good: number; bad: unknown[]; vanished: number; noPointer: number };
  expect(result.bad).toEqual([]);
  expect(result.noPointer).toBe(0);
  // The reader really ran alongside the writer.
  expect(result.good).toBeGreaterThanOrEqual(SYNCS);
}, 120_000);
