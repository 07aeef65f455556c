/**
 * What Lambda runs: the pre-bundled handler (assets/efs-onnx-inference, built by `npx projen bundle`) copied into a
 * folder of its own, in a separate Node process whose only onnxruntime is the layer the construct assembles (on
 * Lambda's module path, as /opt/nodejs/node_modules is). The layer is built for this machine's architecture.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GeneratedModel, generatedModels, maxScaledDifference, newModelRoot, placeVersion } from './fixtures';
import { assembleOnnxRuntimeLayer } from '../../../lib/efs-inference/private/onnx-runtime-layer';

const BUNDLE = join(__dirname, '..', '..', '..', 'assets', 'efs-onnx-inference', 'index.js');
const INVOKE = [
  'const { handler } = require(process.argv[1]);',
  // The handler logs to stdout too: the result is the line after the marker.
  'const print = (r) => process.stdout.write(`\\nRESULT ${JSON.stringify(r)}\\n`);',
  'handler(JSON.parse(process.argv[2])).then(print, (e) => print({ error: e.name, message: e.message }));',
].join('\n');

let ranker: GeneratedModel;
let taskDir: string;
let layerModules: string;

beforeAll(() => {
  ({ ranker } = generatedModels());
  taskDir = mkdtempSync(join(tmpdir(), 'lambda-task-'));
  copyFileSync(BUNDLE, join(taskDir, 'index.js'));
  layerModules = join(assembleOnnxRuntimeLayer(process.arch === 'arm64' ? 'arm64' : 'x64').dir, 'nodejs', 'node_modules');
}, 180_000);

function invoke(request: unknown, env: Record<string, string>): any {
  const out = execFileSync(process.execPath, ['-e', INVOKE, join(taskDir, 'index.js'), JSON.stringify(request)], {
    cwd: taskDir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', ...env },
  });
  return JSON.parse(out.split('\n').find((line) => line.startsWith('RESULT '))!.slice('RESULT '.length));
}

test('the bundled handler serves the ranker with onnxruntime from the assembled layer alone', () => {
  const root = newModelRoot();
  placeVersion(root, 'v1', ranker.modelPath);
  const result = invoke(ranker.request, { NODE_PATH: layerModules, EFS_INFERENCE_MODEL_ROOT: root });
  expect(result.modelVersion).toBe('v1');
  for (const [name, expected] of Object.entries(ranker.reference.outputs)) {
    expect(maxScaledDifference(result.outputs[name].data, expected.data)).toBeLessThanOrEqual(1e-5);
  }
});

test('without the layer the bundle has no onnxruntime (it is not bundled in)', () => {
  const run = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(join(taskDir, 'index.js'))})`], { cwd: taskDir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toContain("Cannot find module 'onnxruntime-node'");
});

test('a misconfigured function fails its requests with the reason', () => {
  expect(invoke(ranker.request, { NODE_PATH: layerModules })).toEqual({ error: 'Error', message: 'EFS_INFERENCE_MODEL_ROOT is not set' });
});
