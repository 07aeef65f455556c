/**
 * The built-in ONNX handler against the same calls made directly on onnxruntime-node, for both generated models
 * (scripts/models): model load time, per-inference p50/p99 and the handler's overhead as a ratio, plus the sizes the
 * README states (npm package, onnxruntime layer per architecture, handler bundles, the whole onnxruntime-node).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { infer } from '../../lambda/efs-onnx-inference/index';
import { ModelStore } from '../../lambda/efs-onnx-inference/model-store';
import { decodeInputs } from '../../lambda/efs-onnx-inference/tensors';
import { assembleOnnxRuntimeLayer } from '../../lib/efs-inference/private/onnx-runtime-layer';
import { newModelRoot, placeVersion } from '../../test/lambda/efs-onnx-inference/fixtures';
import { BenchSection, fmt, median, runCount, table } from '../stats';

const ROOT = join(__dirname, '..', '..');
/** The p50 ratio handler ÷ direct the built-in handler must stay within. */
const TARGET_P50_RATIO = 1.05;

interface ModelFiles {
  readonly name: string;
  readonly path: string;
  readonly request: { inputs: Record<string, unknown> };
  /** Inferences per path; the paths alternate call by call, so drift hits them alike. */
  readonly calls: number;
}

type InputSpec = readonly [type: 'float32' | 'int64', dims: number[], data?: string[]];

/**
 * Public models from the wheels pinned in scripts/models/public-models.requirements.txt, each with a request of the
 * size it is used with: a 32 ms audio frame at 16 kHz for the voice-activity model (with its recurrent state and the
 * sample rate, a rank-0 int64), one text-line crop for the OCR orientation classifier.
 */
const PUBLIC_MODELS: ReadonlyArray<{ name: string; file: string; calls: number; inputs: Record<string, InputSpec> }> = [
  {
    name: 'silero-vad (public)',
    file: 'silero_vad.onnx',
    calls: 2_000,
    inputs: { input: ['float32', [1, 512]], state: ['float32', [2, 1, 128]], sr: ['int64', [], ['16000']] },
  },
  { name: 'ppocr-cls (public)', file: 'ch_ppocr_mobile_v2.0_cls_infer.onnx', calls: 500, inputs: { x: ['float32', [1, 3, 48, 192]] } },
];

/** A request with deterministic pseudo-random floats in [-1, 1) (a fixed linear congruential sequence). */
function publicRequest(inputs: Record<string, InputSpec>): ModelFiles['request'] {
  let seed = 12345;
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 1073741824 - 1;
  };
  return {
    inputs: Object.fromEntries(Object.entries(inputs).map(([name, [type, dims, data]]) => [name, {
      type, dims, data: data ?? Array.from({ length: dims.reduce((a, b) => a * b, 1) }, next),
    }])),
  };
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function micros(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e3;
}

/** Load time (ms): a fresh session directly, and a fresh handler store (pointer read + the same load). */
async function loadTimes(model: ModelFiles, runs: number): Promise<{ direct: number; handler: number }> {
  const direct: number[] = [];
  const handler: number[] = [];
  for (let i = 0; i < runs; i++) {
    let session: ort.InferenceSession | undefined;
    direct.push((await micros(async () => (session = await ort.InferenceSession.create(model.path)))) / 1e3);
    await session!.release();
    const root = newModelRoot();
    placeVersion(root, 'v1', model.path);
    const store = new ModelStore({ root, modelFile: 'model.onnx', checkIntervalMs: 5_000, load: (p) => ort.InferenceSession.create(p) });
    handler.push((await micros(() => store.model())) / 1e3);
    await (await store.model()).session.release();
  }
  return { direct: median(direct), handler: median(handler) };
}

/** Per-inference µs of the three paths, measured call by call in turn so that drift hits all alike. */
interface InferenceTimes {
  /** `session.run` on tensors built once: onnxruntime alone, the floor. */
  readonly run: number[];
  /** What a hand-written handler without checks does: typed arrays from the request's data, the run, outputs to arrays. */
  readonly direct: number[];
  /** The built-in handler's `infer` on the parsed request (what Lambda hands it). */
  readonly handler: number[];
}

const TYPED: Record<string, (data: unknown[]) => ArrayLike<unknown>> = {
  float32: (d) => Float32Array.from(d as number[]),
  float64: (d) => Float64Array.from(d as number[]),
  int32: (d) => Int32Array.from(d as number[]),
  int64: (d) => BigInt64Array.from(d as string[], BigInt),
  bool: (d) => Uint8Array.from(d as boolean[], Number),
};

async function directCall(session: ort.InferenceSession, request: ModelFiles['request']): Promise<unknown> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const [name, input] of Object.entries(request.inputs as Record<string, { type: string; dims: number[]; data: unknown[] }>)) {
    feeds[name] = new ort.Tensor(input.type as 'float32', TYPED[input.type](input.data) as Float32Array, input.dims);
  }
  const results = await session.run(feeds);
  return Object.fromEntries(Object.entries(results).map(([name, t]) => [name, Array.from(t.data as ArrayLike<unknown>, (v) => (typeof v === 'bigint' ? v.toString() : v))]));
}

async function inferenceTimes(model: ModelFiles): Promise<InferenceTimes> {
  const root = newModelRoot();
  placeVersion(root, 'v1', model.path);
  const store = new ModelStore({ root, modelFile: 'model.onnx', checkIntervalMs: 5_000, load: (p) => ort.InferenceSession.create(p) });
  // One session for the three paths, as a function has one: each session has its own onnxruntime thread pool, whose
  // threads keep spinning for a while after a run, so a run on a second session right after one on the first pays for
  // the first's spinning threads (measured here: 6× on the OCR classifier for whichever path switched sessions).
  const { session } = await store.model();
  const feeds = decodeInputs(model.request.inputs, session.inputMetadata);
  const paths = [() => session.run(feeds), () => directCall(session, model.request), () => infer(store, model.request)];
  const times: number[][] = [[], [], []];
  for (let i = 0; i < 50; i++) for (const path of paths) await path();
  // Each round starts with the next path: the one measured right after another's run pays for that run's leftovers
  // (garbage, threads still spinning), and a fixed order would charge them to one path.
  for (let i = 0; i < model.calls; i++) {
    for (let k = 0; k < paths.length; k++) {
      const p = (i + k) % paths.length;
      times[p].push(await micros(paths[p]));
    }
  }
  await session.release();
  return { run: times[0], direct: times[1], handler: times[2] };
}

/** Resident memory (MB) of a fresh Node process after loading the model with onnxruntime-node. */
function residentAfterLoad(path: string): number {
  const script = `require('onnxruntime-node').InferenceSession.create(${JSON.stringify(path)}).then(() => process.stdout.write(String(process.memoryUsage().rss)))`;
  return Number(execFileSync(process.execPath, ['-e', script], { cwd: ROOT, encoding: 'utf8' })) / 1_048_576;
}

function directoryBytes(dir: string): number {
  return readdirSync(dir, { withFileTypes: true }).reduce((sum, e) => {
    const path = join(dir, e.name);
    return sum + (e.isDirectory() ? directoryBytes(path) : e.isFile() ? statSync(path).size : 0);
  }, 0);
}

function npmPackage(): { size: number; unpackedSize: number } {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as Array<{ size: number; unpackedSize: number }>)[0];
}

export async function run(): Promise<BenchSection> {
  const runs = runCount();
  const modelsDir = execFileSync('node', [join(ROOT, 'scripts', 'models', 'models.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const publicDir = execFileSync('node', [join(ROOT, 'scripts', 'models', 'public-models.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const models: ModelFiles[] = [
    ...([['tiny', 2_000], ['ranker', 500]] as const).map(([name, calls]) => ({
      name,
      calls,
      path: join(modelsDir, name, 'model.onnx'),
      request: JSON.parse(readFileSync(join(modelsDir, name, 'request.json'), 'utf8')),
    })),
    ...PUBLIC_MODELS.map((m) => ({ name: m.name, calls: m.calls, path: join(publicDir, m.file), request: publicRequest(m.inputs) })),
  ];
  const info = console.info;
  console.info = () => undefined;
  const rows: (string | number)[][] = [];
  const summary: Array<[string, string]> = [];
  try {
    for (const model of models) {
      const load = await loadTimes(model, runs);
      const times = await inferenceTimes(model);
      const [p50, p99] = [(v: number[]) => percentile(v, 50), (v: number[]) => percentile(v, 99)];
      rows.push([
        `${model.name} (${fmt(statSync(model.path).size / 1024, 1)} KiB)`,
        fmt(load.direct, 2), fmt(load.handler, 2),
        `${fmt(p50(times.run))} / ${fmt(p99(times.run))}`,
        `${fmt(p50(times.direct))} / ${fmt(p99(times.direct))}`,
        `${fmt(p50(times.handler))} / ${fmt(p99(times.handler))}`,
        `${fmt(p50(times.handler) / p50(times.direct), 2)}× / ${fmt(p99(times.handler) / p99(times.direct), 2)}×`,
        `${fmt(p50(times.handler) / p50(times.run), 2)}×`,
        fmt(residentAfterLoad(model.path), 0),
      ]);
      summary.push([
        `ONNX handler overhead vs a direct onnxruntime call, ${model.name} model (p50 / p99)`,
        `${fmt(p50(times.handler) / p50(times.direct), 2)}× / ${fmt(p99(times.handler) / p99(times.direct), 2)}×`,
      ]);
    }
  } finally {
    console.info = info;
  }

  const pkg = npmPackage();
  const mib = (bytes: number) => fmt(bytes / 1_048_576, 1);
  const kib = (bytes: number) => fmt(bytes / 1024, 1);
  const [arm, x64] = [assembleOnnxRuntimeLayer('arm64'), assembleOnnxRuntimeLayer('x64')];
  const sizes = table(['what', 'size'], [
    ['npm package (tarball / unpacked)', `${kib(pkg.size)} KiB / ${kib(pkg.unpackedSize)} KiB`],
    [`onnxruntime layer, arm64 (unzipped, onnxruntime-node ${arm.version})`, `${mib(arm.bytes)} MiB`],
    ['onnxruntime layer, x86_64 (unzipped)', `${mib(x64.bytes)} MiB`],
    ['built-in handler bundle (assets/efs-onnx-inference)', `${kib(directoryBytes(join(ROOT, 'assets', 'efs-onnx-inference')))} KiB`],
    ['sync function bundle (assets/efs-model-sync)', `${kib(directoryBytes(join(ROOT, 'assets', 'efs-model-sync')))} KiB`],
    ['inference function + layer, arm64 (counts toward the 250 MB)', `${mib(arm.bytes + directoryBytes(join(ROOT, 'assets', 'efs-onnx-inference')))} MiB`],
    ['the whole onnxruntime-node package, every platform (for comparison)', `${mib(directoryBytes(join(ROOT, 'node_modules', 'onnxruntime-node')))} MiB`],
  ]);
  summary.push(['npm package tarball; onnxruntime layer arm64 / x86_64 (unzipped)', `${kib(pkg.size)} KiB; ${mib(arm.bytes)} / ${mib(x64.bytes)} MiB`]);
  return {
    summary,
    title: 'EfsModelInference: built-in ONNX handler vs onnxruntime-node',
    method:
      'Two generated models (scripts/models/generate.py: tiny = 15 parameters, ranker = 1,188,362 parameters behind six inputs of five ' +
      'element types) and two public ones from pinned wheels (scripts/models/public-models.mjs): silero-vad (voice activity; one 512-sample ' +
      'frame, its state and a rank-0 int64 sample rate) and ppocr-cls (OCR text orientation; one 3×48×192 crop), with deterministic ' +
      `pseudo-random inputs. Load: median of ${runs} fresh loads, directly (\`InferenceSession.create\`) and through the handler's model store ` +
      '(pointer read + the same create) from a temporary directory laid out like the EFS mount (local disk: EFS adds its own read time). ' +
      `Inference: ${models.map((m) => `${m.calls} (${m.name.split(' ')[0]})`).join(' / ')} calls per path after 50 warm-up calls, the three ` +
      'paths taking turns call by call, each round starting with the next path: run only = `session.run` on tensors built once (onnxruntime alone, the floor); direct = the same call as a ' +
      'hand-written handler without checks makes it (typed arrays from the request\'s data, `session.run`, outputs to plain arrays); ' +
      'handler = the built-in handler\'s `infer` on the parsed request (input checks against the model metadata, tensor building, the ' +
      `run, JSON encoding of every output incl. int64 as strings, the pointer check); the three share one session, as a function has one. Target: handler ÷ direct p50 ≤ ${TARGET_P50_RATIO}×. ` +
      'RSS: a fresh Node process after loading the model. One process on this machine\'s CPU, shared with other work (p99 is sensitive to that); ' +
      'Lambda arm64 numbers will differ.',
    body: [
      table([
        'model', 'load direct (ms)', 'load handler (ms)', 'run only p50 / p99 (µs)', 'direct p50 / p99 (µs)', 'handler p50 / p99 (µs)',
        'handler ÷ direct p50 / p99', 'handler ÷ run only p50', 'RSS after load (MB)',
      ], rows),
      sizes,
    ].join('\n\n'),
  };
}
