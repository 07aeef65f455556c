// Exits 0 when the build outputs (handler bundles, jsii assembly, runtime helpers) are missing or older
// than any source they are built from, 1 when they are all fresh. `npm test` compiles only in the first case, so
// `build` (which compiles, then tests) compiles once while a fresh clone's `npm test` still builds everything.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const SOURCES = ['lib', 'lambda', 'package.json', 'tsconfig.dev.json', 'tsconfig.runtime.json', 'scripts/bundle.mjs', 'scripts/runtime-entries.mjs', 'scripts/runtime-entries.json'];
const OUTPUTS = ['.jsii', 'assets', 'runtime/index.js', 'lambda/runtime/index.js'];

function newestSource(path) {
  const full = join(root, path);
  if (!existsSync(full)) return 0;
  const stat = statSync(full);
  if (!stat.isDirectory()) return /\.(d\.ts|js)$/.test(path) && !path.endsWith('.mjs') && path !== 'package.json' ? 0 : stat.mtimeMs;
  return Math.max(0, ...readdirSync(full).map((name) => newestSource(join(path, name))));
}

const inputs = Math.max(...SOURCES.map(newestSource));
const outputs = OUTPUTS.map((p) => join(root, p));
const stale = outputs.filter((p) => !existsSync(p) || statSync(p).mtimeMs < inputs);
process.exit(stale.length > 0 ? 0 : 1);
