// Writes the entry points users import, `cdk-serverless-patterns/runtime/<entry>`, as one-line re-exports of the
// runtime helpers compiled in place under lambda/runtime/ (where their relative imports of lib/<pattern>/contract
// stay valid). Each entry pulls in only the packages its helpers need (test/package/runtime-entry-points.test.ts).
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
/**
 * Entry point (file under runtime/, without extension) → compiled module under lambda/runtime. One list, read here,
 * by .projenrc.ts (the package's `exports` map: `runtime/x/index` is exported as `runtime/x`) and by the tests.
 */
const RUNTIME_ENTRIES = JSON.parse(readFileSync(join(root, 'scripts', 'runtime-entries.json'), 'utf8'));

const outDir = join(root, 'runtime');
rmSync(outDir, { recursive: true, force: true });
for (const [entry, module] of Object.entries(RUNTIME_ENTRIES)) {
  const file = join(outDir, entry);
  mkdirSync(dirname(file), { recursive: true });
  const target = relative(dirname(file), join(root, 'lambda', 'runtime', module)).split('\\').join('/');
  writeFileSync(`${file}.js`, `"use strict";\nmodule.exports = require(${JSON.stringify(target)});\n`);
  writeFileSync(`${file}.d.ts`, `export * from ${JSON.stringify(target)};\n`);
}
console.log(`wrote ${Object.keys(RUNTIME_ENTRIES).length} runtime entry points into runtime/`);
