// Fails when the committed API.md no longer matches the jsii assembly: the reference users read (and the defaults
// it lists) must change in the same commit as the code. Run after `compile`, which writes .jsii.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const fresh = join(mkdtempSync(join(tmpdir(), 'api-docs-')), 'API.md');
const run = spawnSync('npx', ['jsii-docgen', '-o', fresh], { stdio: 'inherit' });
if (run.status !== 0) process.exit(run.status ?? 1);

let committed = '';
try {
  committed = readFileSync('API.md', 'utf8');
} catch {
  // reported below
}
if (committed !== readFileSync(fresh, 'utf8')) {
  console.error('API.md is out of date with the public API. Fix: run `npx projen docgen` and commit API.md.');
  process.exit(1);
}
console.log('API.md matches the public API');
