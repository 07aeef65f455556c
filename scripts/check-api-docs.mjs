// Fails when the committed API reference no longer matches the jsii assembly: the reference users read (and the
// defaults it lists) must change in the same commit as the code. Run after `compile`, which writes .jsii.
// API.md documents the root module; each submodule has a file of its own (examples.md).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const dir = mkdtempSync(join(tmpdir(), 'api-docs-'));
const run = spawnSync('npx', ['jsii-docgen', '-o', join(dir, 'API.md'), '--split-by-submodule'], { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

const stale = readdirSync(dir).filter((file) => !existsSync(file) || readFileSync(file, 'utf8') !== readFileSync(join(dir, file), 'utf8'));
if (stale.length > 0) {
  console.error(`${stale.join(', ')} out of date with the public API. Fix: run \`npx projen docgen\` and commit the result.`);
  process.exit(1);
}
console.log(`${readdirSync(dir).join(', ')} match the public API`);
