import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { ModelFile } from '../../../lib/efs-inference/contract';

/** A model version held in memory: its files as the sync reads them, and the bytes behind them. */
export interface MemoryVersion {
  readonly files: ModelFile[];
  /** Object key → bytes. */
  readonly objects: Map<string, Buffer>;
}

export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A version of the given files; `bucket`/`key` name where the content "lives" for the opener. */
export function memoryVersion(files: Record<string, Buffer | string>): MemoryVersion {
  const objects = new Map<string, Buffer>();
  const list: ModelFile[] = Object.entries(files).map(([path, data]) => {
    const buffer = Buffer.isBuffer(data) ? data : Buffer.from(data);
    const key = `models/${sha256(buffer)}/${path}`;
    objects.set(key, buffer);
    return { path, sha256: sha256(buffer), bucket: 'model-bucket', key };
  });
  return { files: list, objects };
}

/**
 * Opens files from versions in memory, in 64 KiB chunks with a turn of the event loop between them, so a copy takes
 * long enough for a concurrent reader to look at it midway. `corrupt` names keys whose bytes arrive altered.
 */
export function memoryOpener(versions: MemoryVersion[], corrupt: Set<string> = new Set()) {
  const all = new Map(versions.flatMap((v) => [...v.objects]));
  return async (file: ModelFile): Promise<Readable> => {
    const original = all.get(file.key);
    if (!original) throw new Error(`no such object ${file.key}`);
    // The last byte changed: same length, different checksum.
    const lastByte = Buffer.from([(original[original.length - 1] + 1) % 256]);
    const data = corrupt.has(file.key) ? Buffer.concat([original.subarray(0, -1), lastByte]) : original;
    return Readable.from((async function* () {
      for (let offset = 0; offset < data.length; offset += 65_536) {
        yield data.subarray(offset, offset + 65_536);
        await nextTurn();
      }
    })());
  };
}

/** Deterministic content of `bytes` bytes, different for each seed. */
export function content(seed: string, bytes: number): Buffer {
  const out = Buffer.alloc(bytes);
  let block = createHash('sha256').update(seed).digest();
  for (let offset = 0; offset < bytes; offset += block.length) {
    block.copy(out, offset);
    block = createHash('sha256').update(block).digest();
  }
  return out;
}
