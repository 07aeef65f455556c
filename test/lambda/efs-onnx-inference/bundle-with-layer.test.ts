/**
 * What Lambda runs: the pre-bundled ES module handler (assets/efs-onnx-inference/index.mjs, built by
 * `npx projen bundle`) in a fresh process per test, with onnxruntime only in the layer the construct assembles, laid
 * out and resolved as Lambda does (see lambda-layout.ts).
 */
import { GeneratedModel, generatedModels, maxScaledDifference, newModelRoot, placeVersion } from './fixtures';
import { invokeOnce, LambdaLayout, lambdaLayout } from './lambda-layout';

let ranker: GeneratedModel;
let layout: LambdaLayout;

beforeAll(() => {
  ({ ranker } = generatedModels());
  layout = lambdaLayout();
}, 180_000);

test('on plain Node (ES module imports ignore NODE_PATH) the bundle finds no onnxruntime: it is not bundled in', () => {
  const run = invokeOnce(layout, ranker.request, { EFS_INFERENCE_MODEL_ROOT: newModelRoot() }, { lambdaResolution: false });
  expect(run.status).not.toBe(0);
  expect(run.stderr).toMatch(/ERR_MODULE_NOT_FOUND|Cannot find package 'onnxruntime-node'/);
});

test('init (the import) ends only after the model is loaded; the request then uses it without loading again', () => {
  const root = newModelRoot();
  placeVersion(root, 'v1', ranker.modelPath);
  const run = invokeOnce(layout, ranker.request, { EFS_INFERENCE_MODEL_ROOT: root });
  expect(run.status).toBe(0);
  const loaded = run.lines.findIndex((l) => l.includes('"model loaded"'));
  expect(loaded).toBeGreaterThanOrEqual(0);
  expect(loaded).toBeLessThan(run.lines.indexOf('INIT_DONE'));
  expect(run.lines.filter((l) => l.includes('"model loaded"'))).toHaveLength(1);
  expect(run.result.modelVersion).toBe('v1');
  for (const [name, expected] of Object.entries(ranker.reference.outputs)) {
    expect(maxScaledDifference(run.result.outputs[name].data, expected.data)).toBeLessThanOrEqual(1e-5);
  }
});

test('without an installed model, init still completes and the request is answered with the no-model error', () => {
  const run = invokeOnce(layout, ranker.request, { EFS_INFERENCE_MODEL_ROOT: newModelRoot() });
  expect(run.status).toBe(0);
  expect(run.lines).toContain('INIT_DONE');
  expect(run.result).toEqual({ thrown: 'NoModelError', message: expect.stringContaining('no model version is current') });
});

test('a misconfigured function completes init and fails its requests with the reason', () => {
  const run = invokeOnce(layout, ranker.request, {});
  expect(run.status).toBe(0);
  expect(run.result).toEqual({ thrown: 'Error', message: 'EFS_INFERENCE_MODEL_ROOT is not set' });
});

test('a refused request is answered, and onnxruntime prints nothing of its own', () => {
  const root = newModelRoot();
  placeVersion(root, 'v1', ranker.modelPath);
  const [name] = Object.keys(ranker.request.inputs);
  const empty = { inputs: { ...ranker.request.inputs, [name]: { ...ranker.request.inputs[name], dims: [0, 4], data: [] } } };
  const run = invokeOnce(layout, empty, { EFS_INFERENCE_MODEL_ROOT: root });
  expect(run.status).toBe(0);
  expect(run.result.errorType).toBe('InvalidInputError');
  expect(run.stderr).not.toContain('onnxruntime');
});
