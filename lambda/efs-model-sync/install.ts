import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { checkVersionFiles, ModelVersionRejectedError, versionId } from './manifest';
import { MODEL_LAYOUT, ModelFile, ModelSyncResult } from '../../lib/efs-inference/contract';

/** How to install a version. */
export interface InstallOptions {
  /** Versions to keep, the new current one included (older ones are deleted). */
  readonly retainedVersions: number;
  /** Opens the content of one file; `signal` aborts the read. */
  readonly openFile: (file: ModelFile, signal?: AbortSignal) => Promise<Readable>;
  /** A file the version must contain (the model the inference function loads). */
  readonly requiredFile?: string;
  /** Staging folders and pointer links older than this are leftovers of an interrupted sync. */
  readonly staleAfterMs?: number;
  /**
   * Aborts the install: reads and writes stop, the staging folder is deleted, and the pointer is not switched (an
   * abort after the switch changes nothing).
   */
  readonly signal?: AbortSignal;
  /** When the request was made (ms since the epoch), recorded with the version it made current. */
  readonly requestedAt?: number;
  /**
   * Install only if no request newer than `requestedAt` has made a version current (a retried S3 notification must
   * not undo a later deploy): otherwise nothing changes and the result says `superseded`.
   */
  readonly unlessSuperseded?: boolean;
}

interface HistoryEntry {
  readonly version: string;
  readonly madeCurrentAt: string;
  /** When the newest request that made a version current was made (ms since the epoch); absent in older histories. */
  readonly requestedAt?: number;
}

const STALE_AFTER_MS = 60 * 60 * 1000;

/**
 * Installs one model version under `root` and makes it current:
 * 1. every file is streamed into a private staging folder, hashed on the way, and refused on a checksum mismatch
 *    (the staging folder is deleted and nothing else changes);
 * 2. the complete folder is renamed to `versions/<version>` (a version folder is never partial);
 * 3. a new `current` link is created beside the old one and renamed over it (readers see the old version or the new
 *    one, never neither);
 * 4. versions beyond `retainedVersions` (by when they were last made current) and stale leftovers are deleted.
 * A version already on the file system is not copied again: it is only made current.
 */
export async function installVersion(root: string, files: ModelFile[], options: InstallOptions): Promise<ModelSyncResult> {
  checkVersionFiles(files, options.requiredFile);
  const version = versionId(files);
  if (options.unlessSuperseded && options.requestedAt !== undefined) {
    const newest = (await readHistory(root))[0];
    if (newest?.requestedAt !== undefined && newest.requestedAt > options.requestedAt) {
      return { version: newest.version, copied: false, removed: [], superseded: true };
    }
  }
  const versionsDir = join(root, MODEL_LAYOUT.versionsDir);
  await mkdir(versionsDir, { recursive: true });
  const target = join(versionsDir, version);
  const copied = !(await exists(target));
  if (copied) await writeVersion(versionsDir, target, version, files, options.openFile, options.signal);
  // The last moment to stop: after an abort (the deadline passed, CloudFormation was answered) the pointer stays.
  options.signal?.throwIfAborted();
  await switchPointer(root, version);
  const history = await recordHistory(root, version, options.requestedAt);
  const removed = await pruneVersions(root, history.slice(0, options.retainedVersions).map((h) => h.version), options.staleAfterMs ?? STALE_AFTER_MS);
  return { version, copied, removed };
}

/** The version `current` points to, or undefined before the first sync. */
export async function currentVersion(root: string): Promise<string | undefined> {
  try {
    const target = await readlink(join(root, MODEL_LAYOUT.currentLink));
    return target.split('/').pop();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function writeVersion(
  versionsDir: string, target: string, version: string, files: ModelFile[], openFile: InstallOptions['openFile'], signal?: AbortSignal,
): Promise<void> {
  const staging = join(versionsDir, `${MODEL_LAYOUT.stagingPrefix}${version}-${randomBytes(6).toString('hex')}`);
  await mkdir(staging);
  try {
    for (const file of files) await copyVerified(file, join(staging, file.path), openFile, signal);
    signal?.throwIfAborted();
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another sync installed the same version meanwhile: its folder is as complete as ours would have been.
    const code = (error as NodeJS.ErrnoException).code;
    if ((code === 'ENOTEMPTY' || code === 'EEXIST') && (await exists(target))) return;
    throw error;
  }
}

async function copyVerified(file: ModelFile, destination: string, openFile: InstallOptions['openFile'], signal?: AbortSignal): Promise<void> {
  await mkdir(dirname(destination), { recursive: true });
  const hash = createHash('sha256');
  signal?.throwIfAborted();
  const source = await openFile(file, signal);
  await pipeline(
    source,
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        yield chunk;
      }
    },
    createWriteStream(destination, { flags: 'wx' }),
    // An abort destroys every stream of the pipeline (the S3 body included) and rejects it.
    { signal },
  );
  const actual = hash.digest('hex');
  if (actual !== file.sha256) {
    throw new ModelVersionRejectedError(
      `${file.path} (s3://${file.bucket}/${file.key}) has SHA-256 ${actual}, expected ${file.sha256}: the version was not installed`,
    );
  }
  // Durable before the version folder can appear under its final name.
  const handle = await open(destination, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function switchPointer(root: string, version: string): Promise<void> {
  const temp = join(root, `${MODEL_LAYOUT.pointerTempPrefix}${randomBytes(6).toString('hex')}`);
  await symlink(`${MODEL_LAYOUT.versionsDir}/${version}`, temp);
  try {
    await rename(temp, join(root, MODEL_LAYOUT.currentLink));
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

async function readHistory(root: string): Promise<HistoryEntry[]> {
  try {
    const parsed: unknown = JSON.parse(await readFile(join(root, MODEL_LAYOUT.historyFile), 'utf8'));
    return Array.isArray(parsed) ? parsed.filter((e): e is HistoryEntry => typeof e?.version === 'string') : [];
  } catch (error) {
    // A missing or unreadable history only means older versions are pruned by the folder scan below.
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
    return [];
  }
}

/** Puts `version` first in the history (written beside and renamed, like the pointer) and returns the history. */
async function recordHistory(root: string, version: string, requestedAt?: number): Promise<HistoryEntry[]> {
  const file = join(root, MODEL_LAYOUT.historyFile);
  const previous = await readHistory(root);
  // Never moves back: a request CloudFormation waits on wins even when older than the last notification applied, and
  // requests older than either are superseded.
  const newest = Math.max(requestedAt ?? -Infinity, previous[0]?.requestedAt ?? -Infinity);
  const entry: HistoryEntry = { version, madeCurrentAt: new Date().toISOString(), ...(Number.isFinite(newest) ? { requestedAt: newest } : {}) };
  const history = [entry, ...previous.filter((e) => e.version !== version)];
  const temp = `${file}.${randomBytes(6).toString('hex')}`;
  await writeFile(temp, JSON.stringify(history));
  await rename(temp, file);
  return history;
}

/** Deletes version folders not in `keep` (the history's newest) and leftovers of interrupted syncs. */
async function pruneVersions(root: string, keep: string[], staleAfterMs: number): Promise<string[]> {
  const versionsDir = join(root, MODEL_LAYOUT.versionsDir);
  const current = await currentVersion(root);
  const removed: string[] = [];
  for (const entry of await readdir(versionsDir)) {
    const path = join(versionsDir, entry);
    if (entry.startsWith(MODEL_LAYOUT.stagingPrefix)) {
      if (await olderThan(path, staleAfterMs)) await rm(path, { recursive: true, force: true });
    } else if (!entry.startsWith('.') && entry !== current && !keep.includes(entry)) {
      await rm(path, { recursive: true, force: true });
      removed.push(entry);
    }
  }
  for (const entry of await readdir(root)) {
    if (entry.startsWith(MODEL_LAYOUT.pointerTempPrefix) && (await olderThan(join(root, entry), staleAfterMs))) {
      await rm(join(root, entry), { force: true });
    }
  }
  return removed.sort();
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await lstat(path)).mtimeMs > ms;
  } catch {
    return false;
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
