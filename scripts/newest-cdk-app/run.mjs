// A `cdk init`-shaped TypeScript 7 app (template/: NodeNext, tsx) in a scratch directory outside the repository,
// using the packed library on the newest aws-cdk-lib: type-checked with TypeScript 7's `tsc`, then synthesized
// (every construct, every example stack, the library's rule pack). Nothing is installed into the repository.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const TEMPLATE = new URL('./template/', import.meta.url).pathname;

function step(what, command, args, options) {
  const start = Date.now();
  const run = spawnSync(command, args, { stdio: 'inherit', ...options });
  console.log(`cdk init app: ${what}: exit ${run.status} in ${((Date.now() - start) / 1000).toFixed(1)} s`);
  return run.status ?? 1;
}

/** Returns the exit status: 0 when the app type-checks and synthesizes every stack. */
export function runInitApp(root, versions) {
  if (!existsSync(join(root, 'lib', 'index.js'))) {
    console.log('cdk init app: the library is not compiled (lib/index.js missing): run `npx projen compile` first');
    return 1;
  }
  const dir = mkdtempSync(join(tmpdir(), 'cdk-serverless-patterns-init-app-'));
  let status = step('npm pack', 'npm', ['pack', '--silent', '--pack-destination', dir], { cwd: root });
  if (status !== 0) return status;
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  const own = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  cpSync(TEMPLATE, dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({
    name: 'init-app',
    private: true,
    dependencies: {
      'cdk-serverless-patterns': `file:./${tarball}`,
      ...versions,
      'onnxruntime-node': own.devDependencies['onnxruntime-node'],
    },
    devDependencies: {
      'typescript': '^7',
      'tsx': '^4',
      '@types/node': '^22',
      'esbuild': own.devDependencies.esbuild,
    },
    // As in the project: onnxruntime-node's install script only downloads CUDA libraries.
    allowScripts: { 'onnxruntime-node': false },
  }, null, 2));
  writeFileSync(join(dir, '.npmrc'), 'onnxruntime-node-install=skip\n');
  status = step('npm install', 'npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: dir });
  if (status !== 0) return status;
  const tsc = spawnSync('npx', ['tsc', '--version'], { cwd: dir, encoding: 'utf8' });
  console.log(`cdk init app: ${tsc.stdout.trim()}`);
  status = step('tsc --noEmit (TypeScript 7, NodeNext)', 'npx', ['tsc', '--noEmit', '-p', '.'], { cwd: dir });
  if (status !== 0) return status;
  const out = join(dir, 'cdk.out');
  status = step('synth (tsx bin/app.ts)', 'npx', ['tsx', 'bin/app.ts'], {
    cwd: dir,
    env: { ...process.env, CDK_OUTDIR: out, CDK_DISABLE_VERSION_CHECK: '1', TEST_CLOCK: undefined },
  });
  if (status !== 0) return status;
  const templates = readdirSync(out).filter((f) => f.endsWith('.template.json'));
  console.log(`cdk init app: ${templates.length} templates on aws-cdk-lib ${versions['aws-cdk-lib']}: ${templates.join(', ')}`);
  // The Constructs stack and the seven example stacks.
  return templates.length >= 8 ? 0 : 1;
}
