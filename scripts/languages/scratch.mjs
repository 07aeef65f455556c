// A scratch app outside the repository, as a user of the language would have it, and the two runs every language
// gets: `cdk synth` (must pass cdk-nag and produce the template) and the probe run (must fail on cdk-nag's finding).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sh } from './process.mjs';
import { assetDirectories, entryFiles } from './readme.mjs';
import { JSII_QUIET, PROBE_ENV } from './versions.mjs';

const QUIET = { CDK_DISABLE_VERSION_CHECK: '1', ...JSII_QUIET };
// The probe builds a FifoFanout whose topic name lacks .fifo; this is the id it must read back from the message.
const PROBE_PROBLEM = 'FifoFanout.TopicNameFifoSuffix';

/** A new empty directory for one language's app, outside the repository. */
export function scratchDirectory(language) {
  return mkdtempSync(join(tmpdir(), `cdk-serverless-patterns-${language}-`));
}

/**
 * Writes the app's source, a stub handler in every asset directory the snippets read, and a TypeScript handler at
 * every entry a PatternNodejsFunction bundles. With entries, the app also gets the package.json a user would write
 * for esbuild (`npm install --save-dev esbuild`, installed by {@link synthesize}): from Python, Java and Go,
 * aws-cdk-lib finds esbuild only as a command on PATH, and needs a lock file above the entry.
 */
export function writeApp(dir, file, source) {
  mkdirSync(join(dir, file, '..'), { recursive: true });
  writeFileSync(join(dir, file), source);
  for (const asset of assetDirectories(source)) {
    mkdirSync(join(dir, asset), { recursive: true });
    writeFileSync(join(dir, asset, 'index.js'), 'exports.handler = async () => ({ batchItemFailures: [] });\n');
  }
  const entries = entryFiles(source);
  for (const entry of entries) {
    mkdirSync(join(dir, entry, '..'), { recursive: true });
    writeFileSync(join(dir, entry), 'export const handler = async (event: { name?: string }): Promise<string> => `hello ${event.name ?? \'world\'}`;\n');
  }
  if (entries.length > 0) {
    const own = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, devDependencies: { esbuild: own.devDependencies.esbuild } }, null, 2));
  }
}

/** What the scratch app's processes need beyond `env`: the app's own node_modules/.bin first on PATH (esbuild). */
function withTools(dir, env) {
  return { ...env, PATH: `${join(dir, 'node_modules', '.bin')}:${env.PATH ?? process.env.PATH}` };
}

/** `cdk synth` with the app command in cdk.json, as a user runs it; returns the one stack's template. */
export function synthesize(ctx, dir, appCommand, env = {}) {
  writeFileSync(join(dir, 'cdk.json'), JSON.stringify({ app: appCommand }, null, 2));
  if (existsSync(join(dir, 'package.json')) && !existsSync(join(dir, 'node_modules'))) {
    sh(ctx.log, 'npm', ['install', '--no-audit', '--no-fund'], { cwd: dir });
  }
  sh(ctx.log, join(ctx.root, 'node_modules', '.bin', 'cdk'), ['synth', '--no-notices', '--quiet'], { cwd: dir, env: withTools(dir, { ...QUIET, ...env }) });
  const templates = readdirSync(join(dir, 'cdk.out')).filter((f) => f.endsWith('.template.json'));
  if (templates.length !== 1) throw new Error(`expected one stack template in cdk.out, found ${templates.join(', ') || 'none'}`);
  return JSON.parse(readFileSync(join(dir, 'cdk.out', templates[0]), 'utf8'));
}

/**
 * Runs the app again with the probe on: it must read a validation error's problems back in this language, and the
 * unencrypted queue it adds must make cdk-nag fail synthesis. Proves the checks are live in this language.
 */
export function probe(ctx, dir, appCommand, env = {}) {
  const output = sh(ctx.log, 'bash', ['-c', appCommand], {
    cwd: dir,
    env: withTools(dir, { ...QUIET, ...env, [PROBE_ENV]: '1', CDK_OUTDIR: join(dir, 'probe.out') }),
    expectFailure: true,
  });
  const problems = [];
  if (!output.includes(`problems: ${PROBE_PROBLEM}`)) problems.push(`validation error not read back (no "problems: ${PROBE_PROBLEM}")`);
  if (!/cdk-nag: \d+ unacknowledged finding/.test(output) || !/AwsSolutions-SQS\d/.test(output)) problems.push('cdk-nag did not refuse the probe queue');
  if (problems.length > 0) throw new Error(`probe run: ${problems.join('; ')}`);
}
