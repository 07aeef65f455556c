/**
 * Bundles the extension the way scripts/bundle.mjs builds the layer (esbuild, the folder's bundle.json: shebang
 * banner, executable bit, output path), into a directory of the caller's choosing. Used by the extension's process
 * tests and by the benchmark, which both run it as a real child process.
 */
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

const repoRoot = join(__dirname, '..', '..', '..');

/**
 * Writes the extension executable under `outDir` and returns its path. With `awsSdk: 'bundled'` it is the layer's
 * self-contained file; with `'external'` the SDK is left to the environment (NODE_PATH), or missing.
 */
export async function bundleExtension(outDir: string, awsSdk: 'bundled' | 'external'): Promise<string> {
  const config = JSON.parse(readFileSync(join(repoRoot, 'lambda', 'circuit-breaker-extension', 'bundle.json'), 'utf8'));
  const executable = join(outDir, config.outfile);
  await build({
    entryPoints: [join(repoRoot, 'lambda', 'circuit-breaker-extension', 'index.ts')],
    outfile: executable,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    external: awsSdk === 'external' ? ['@aws-sdk/*', '@smithy/*'] : [],
    legalComments: 'none',
    banner: { js: config.banner },
    logLevel: 'warning',
  });
  if (config.executable) chmodSync(executable, 0o755);
  return executable;
}
