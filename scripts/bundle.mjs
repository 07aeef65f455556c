// Pre-bundles every Lambda handler and extension under lambda/<name>/ into assets/<name>/ with esbuild.
// Constructs point Code.fromAsset at these folders, so users never need esbuild or Docker at synth time,
// and snapshot asset hashes stay stable for a given lockfile.
//
// A folder may hold a `bundle.json` to change its layout, e.g. for a Lambda extension layer:
//   { "outfile": "extensions/circuit-breaker", "banner": "#!/usr/bin/env node", "executable": true,
//     "bundleAwsSdk": true }
// ("zip": true also writes assets/<name>.zip with fixed file modes, see zip.mjs: ship a layer that way when a file
// must keep its executable bit whatever machine deploys it)
// or for an ES module handler (top-level await during init): { "entry": "handler.mts", "format": "esm",
//   "outfile": "index.mjs" }.
import { build } from 'esbuild';
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { writeZip } from './zip.mjs';

const root = new URL('..', import.meta.url).pathname;
const lambdaDir = join(root, 'lambda');
const assetsDir = join(root, 'assets');
// lambda/runtime holds helpers for users' handlers, not a deployable handler.
const NOT_HANDLERS = new Set(['runtime']);

rmSync(assetsDir, { recursive: true, force: true });
const names = readdirSync(lambdaDir, { withFileTypes: true })
  .filter((d) => d.isDirectory() && !NOT_HANDLERS.has(d.name) && existsSync(join(lambdaDir, d.name, 'index.ts')))
  .map((d) => d.name)
  .sort();

for (const name of names) {
  const configPath = join(lambdaDir, name, 'bundle.json');
  const config = existsSync(configPath) ? JSON.parse(readFileSync(configPath, 'utf8')) : {};
  const outfile = join(assetsDir, name, config.outfile ?? 'index.js');
  await build({
    entryPoints: [join(lambdaDir, name, config.entry ?? 'index.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    // Lambda runs Node 24; tests load the same bundles under Node 20, so target the older one.
    target: 'node20',
    format: config.format ?? 'cjs',
    minify: true,
    // The Node.js Lambda runtimes ship AWS SDK v3 to the function process; bundling it would add size and
    // cold-start time. An extension runs as its own process, where the runtime's SDK is not guaranteed to be on the
    // module path, so extensions opt in to bundling it ("bundleAwsSdk": true).
    external: [...(config.bundleAwsSdk ? [] : ['@aws-sdk/*', '@smithy/*']), ...(config.external ?? [])],
    legalComments: 'none',
    banner: config.banner ? { js: config.banner } : undefined,
    logLevel: 'warning',
  });
  if (config.executable) chmodSync(outfile, 0o755);
  if (config.zip) writeZip(join(assetsDir, `${name}.zip`), zipEntries(join(assetsDir, name), config.executable ? outfile : undefined));
}

/** Every directory and file under `dir`, sorted, with modes from the configuration only: 755 for directories and the
 * executable, 644 for the rest. */
function zipEntries(dir, executable) {
  const entries = [];
  const walk = (at) => {
    for (const d of readdirSync(at, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(at, d.name);
      const name = relative(dir, path).split(sep).join('/');
      if (d.isDirectory()) {
        entries.push({ name: `${name}/`, mode: 0o755 });
        walk(path);
      } else {
        entries.push({ name, mode: path === executable ? 0o755 : 0o644, source: path });
      }
    }
  };
  walk(dir);
  return entries;
}
console.log(`bundled ${names.length} handler(s) into assets/: ${names.join(', ') || '(none)'}`);
