import { createHash } from 'node:crypto';
import { posix } from 'node:path';
import { MODEL_LAYOUT, ModelFile } from '../../lib/efs-inference/contract';

/** A model version that cannot be installed as given (bad manifest, bad path, checksum mismatch); nothing changed. */
export class ModelVersionRejectedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelVersionRejectedError';
  }
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Parses a `sha256sum`-style manifest (`<hex>  <path>` or `<hex> *<path>` per line; blank lines and `#` comments
 * ignored) into the files of a version read from `bucket` under `prefix`.
 */
export function parseManifest(text: string, bucket: string, prefix: string): ModelFile[] {
  const files: ModelFile[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) return;
    const match = /^([0-9a-fA-F]{64}) [ *](.+)$/.exec(line);
    if (!match) {
      throw new ModelVersionRejectedError(
        `${MODEL_LAYOUT.manifestFile} line ${index + 1} is not "<sha256 hex>  <path>": ${JSON.stringify(line.slice(0, 120))}`,
      );
    }
    const path = match[2].replace(/^\.\//, '');
    files.push({ path, sha256: match[1].toLowerCase(), bucket, key: `${prefix}${path}` });
  });
  return files;
}

/**
 * Checks that the files form a version that can be written under one directory: at least one file, checksums in hex,
 * relative paths without `..`, no path twice, none that is also another's directory, and `requiredFile` present.
 */
export function checkVersionFiles(files: ModelFile[], requiredFile?: string): void {
  if (files.length === 0) throw new ModelVersionRejectedError('the version lists no files');
  const seen = new Set<string>();
  for (const file of files) {
    const normal = posix.normalize(file.path);
    const bad =
      file.path === '' || normal !== file.path || posix.isAbsolute(file.path) || normal.startsWith('../') ||
      normal === '..' || file.path.split('/').some((part) => part === '' || part === '.' || part === '..');
    if (bad) throw new ModelVersionRejectedError(`file path ${JSON.stringify(file.path)} is not a plain relative path`);
    if (!SHA256_HEX.test(file.sha256)) throw new ModelVersionRejectedError(`${file.path}: checksum ${JSON.stringify(file.sha256)} is not a lower-case SHA-256 hex digest`);
    if (seen.has(file.path)) throw new ModelVersionRejectedError(`${file.path} is listed twice`);
    seen.add(file.path);
  }
  for (const path of seen) {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const parent = parts.slice(0, i).join('/');
      if (seen.has(parent)) throw new ModelVersionRejectedError(`${parent} is listed as a file and as the directory of ${path}`);
    }
  }
  if (requiredFile !== undefined && !seen.has(requiredFile)) {
    throw new ModelVersionRejectedError(`the version has no ${requiredFile}, which the inference function loads`);
  }
}

/** The version's name: derived from its contents alone, so publishing the same files twice is one version. */
export function versionId(files: ModelFile[]): string {
  const lines = files.map((f) => `${f.sha256}  ${f.path}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}
