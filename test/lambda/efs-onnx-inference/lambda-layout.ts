/**
 * Runs the bundled handler (assets/efs-onnx-inference/index.mjs) the way Lambda's Node.js runtime does, in a child
 * process: the bundle in a task folder, onnxruntime only in a layer folder laid out as Lambda extracts layers
 * (`<opt>/nodejs/node_modules`), NODE_PATH as the runtime sets it, and ES module resolution that falls back to
 * NODE_PATH.
 *
 * Stock Node.js resolves an ES module's bare imports from node_modules folders above the importing file only; it
 * ignores NODE_PATH. Lambda's Node.js runtimes from 18 on resolve ES module imports from layers too ("Node.js 18.x
 * runtime now available in AWS Lambda", AWS Compute Blog,
 * https://aws.amazon.com/blogs/compute/node-js-18-x-runtime-now-available-in-aws-lambda/; "Working with layers for
 * Node.js Lambda functions", https://docs.aws.amazon.com/lambda/latest/dg/nodejs-layers.html): their resolver,
 * after the usual lookup fails, tries the NODE_PATH folders, which the runtime's bootstrap sets to
 * /opt/nodejs/node<major>/node_modules, /opt/nodejs/node_modules, /var/runtime/node_modules, /var/runtime and
 * /var/task. The loader hook below does that, and nothing more: without it the bundle cannot find onnxruntime at all
 * (a test shows it), as on plain Node.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleOnnxRuntimeLayer } from '../../../lib/efs-inference/private/onnx-runtime-layer';

export const BUNDLE = join(__dirname, '..', '..', '..', 'assets', 'efs-onnx-inference', 'index.mjs');

const NODE_PATH_FALLBACK = `
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
export async function resolve(specifier, context, nextResolve) {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const bare = !/^(\\.|\\/|[a-z]+:)/.test(specifier);
    if (error?.code !== 'ERR_MODULE_NOT_FOUND' || !bare) throw error;
    const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
    for (const dir of (process.env.NODE_PATH ?? '').split(':').filter(Boolean)) {
      if (basename(dir) !== 'node_modules' || !existsSync(join(dir, name))) continue;
      // Resolved as if imported from beside this node_modules folder: the package's ES module entry and conditions.
      return nextResolve(specifier, { ...context, parentURL: pathToFileURL(join(dirname(dir), 'index.mjs')).href });
    }
    throw error;
  }
}
`;

const REGISTER = (hookUrl: string) => `import { register } from 'node:module'; register(${JSON.stringify(hookUrl)});`;

/**
 * Lambda's runtime, reduced to what the test needs: import the handler module (init), print a marker when the import
 * has resolved, then invoke the handler once with the event and print its result or its error.
 */
const RUNTIME = `
const log = (line) => process.stdout.write(line + '\\n');
const [, , taskIndex, event] = process.argv;
const mod = await import(taskIndex);
log('INIT_DONE');
try {
  log('RESULT ' + JSON.stringify(await mod.handler(JSON.parse(event))));
} catch (error) {
  log('RESULT ' + JSON.stringify({ thrown: error.name, message: error.message }));
}
`;

export interface LambdaLayout {
  readonly root: string;
  readonly taskDir: string;
  readonly optDir: string;
}

/** A task folder holding the bundle and an /opt holding the onnxruntime layer for this machine's architecture. */
export function lambdaLayout(): LambdaLayout {
  const root = mkdtempSync(join(tmpdir(), 'lambda-env-'));
  const taskDir = join(root, 'var', 'task');
  const optDir = join(root, 'opt');
  mkdirSync(taskDir, { recursive: true });
  mkdirSync(join(optDir, 'nodejs'), { recursive: true });
  copyFileSync(BUNDLE, join(taskDir, 'index.mjs'));
  const layer = assembleOnnxRuntimeLayer(process.arch === 'arm64' ? 'arm64' : 'x64');
  symlinkSync(join(layer.dir, 'nodejs', 'node_modules'), join(optDir, 'nodejs', 'node_modules'), 'dir');
  writeFileSync(join(root, 'node-path-fallback.mjs'), NODE_PATH_FALLBACK);
  writeFileSync(join(root, 'register.mjs'), REGISTER(`file://${join(root, 'node-path-fallback.mjs')}`));
  writeFileSync(join(root, 'runtime.mjs'), RUNTIME);
  return { root, taskDir, optDir };
}

export interface Invocation {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  /** stdout lines, in order. */
  readonly lines: string[];
  readonly stderr: string;
  /** The handler's result (or `{ thrown, message }`), when it got that far. */
  readonly result?: any;
}

/** Starts a fresh "execution environment": init, then one invocation with `event`. */
export function invokeOnce(
  layout: LambdaLayout, event: unknown, env: Record<string, string>, options: { lambdaResolution?: boolean } = {},
): Invocation {
  const major = process.versions.node.split('.')[0];
  const nodePath = [
    join(layout.optDir, 'nodejs', `node${major}`, 'node_modules'),
    join(layout.optDir, 'nodejs', 'node_modules'),
    join(layout.root, 'var', 'runtime', 'node_modules'),
    join(layout.root, 'var', 'runtime'),
    layout.taskDir,
  ].join(':');
  const run = spawnSync(process.execPath, [
    ...(options.lambdaResolution === false ? [] : ['--import', join(layout.root, 'register.mjs')]),
    join(layout.root, 'runtime.mjs'), join(layout.taskDir, 'index.mjs'), JSON.stringify(event),
  ], {
    cwd: layout.taskDir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', NODE_PATH: nodePath, ...env },
    timeout: 120_000,
  });
  const lines = run.stdout.split('\n').filter((l) => l !== '');
  const resultLine = lines.find((l) => l.startsWith('RESULT '));
  return {
    status: run.status,
    signal: run.signal,
    lines,
    stderr: run.stderr,
    result: resultLine ? JSON.parse(resultLine.slice('RESULT '.length)) : undefined,
  };
}
