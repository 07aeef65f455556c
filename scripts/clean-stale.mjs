// Removes compiled files (.js, .d.ts) in lib/ and lambda/runtime/ whose TypeScript source no longer exists, so a
// renamed or deleted module cannot linger in a local build or an npm tarball (jsii and tsc compile in place and never
// delete what they no longer produce).
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
let removed = 0;

function sweep(dir) {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      sweep(path);
      continue;
    }
    const source = name.endsWith('.d.ts') ? name.slice(0, -'.d.ts'.length) : name.endsWith('.js') ? name.slice(0, -'.js'.length) : undefined;
    if (source !== undefined && !existsSync(join(dir, `${source}.ts`))) {
      rmSync(path);
      removed++;
    }
  }
}

sweep(join(root, 'lib'));
sweep(join(root, 'lambda', 'runtime'));
console.log(`removed ${removed} stale compiled file(s) from lib/ and lambda/runtime/`);
