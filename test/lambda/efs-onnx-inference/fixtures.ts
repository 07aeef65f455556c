import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODEL_LAYOUT } from '../../../lib/efs-inference/contract';

/** The JSON form of a tensor in requests and responses. */
export interface JsonTensorFixture {
  type: string;
  dims: number[];
  data: Array<number | string | boolean>;
}

/** One generated model with its request and numpy's reference outputs. */
export interface GeneratedModel {
  readonly modelPath: string;
  readonly request: { inputs: Record<string, JsonTensorFixture> };
  readonly reference: { outputs: Record<string, JsonTensorFixture> };
}

const ROOT = join(__dirname, '..', '..', '..');

/**
 * The models scripts/models/generate.py builds (with pinned onnx and numpy, installed on first use into a private
 * virtualenv; the first call can take a minute).
 */
export function generatedModels(): { tiny: GeneratedModel; ranker: GeneratedModel; dir: string } {
  const dir = execFileSync('node', [join(ROOT, 'scripts', 'models', 'models.mjs')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const load = (name: string): GeneratedModel => ({
    modelPath: join(dir, name, 'model.onnx'),
    request: JSON.parse(readFileSync(join(dir, name, 'request.json'), 'utf8')),
    reference: JSON.parse(readFileSync(join(dir, name, 'reference.json'), 'utf8')),
  });
  return { tiny: load('tiny'), ranker: load('ranker'), dir };
}

/** A fresh model root standing in for the EFS mount. */
export function newModelRoot(): string {
  return mkdtempSync(join(tmpdir(), 'efs-model-root-'));
}

/** Puts a model file into `versions/<version>/model.onnx` under `root` and, unless told not to, makes it current. */
export function placeVersion(root: string, version: string, modelPath: string, makeCurrent = true): void {
  const dir = join(root, MODEL_LAYOUT.versionsDir, version);
  mkdirSync(dir, { recursive: true });
  copyFileSync(modelPath, join(dir, 'model.onnx'));
  if (makeCurrent) pointTo(root, version);
}

/** Switches `current` the way the sync function does: a new link renamed over the old one. */
export function pointTo(root: string, version: string): void {
  const temp = join(root, `${MODEL_LAYOUT.pointerTempPrefix}${version}`);
  symlinkSync(`${MODEL_LAYOUT.versionsDir}/${version}`, temp);
  renameSync(temp, join(root, MODEL_LAYOUT.currentLink));
}

/** Largest difference between numeric data, relative to the reference where it exceeds 1 (absolute below). */
export function maxScaledDifference(actual: Array<number | string | boolean>, expected: Array<number | string | boolean>): number {
  expect(actual).toHaveLength(expected.length);
  let worst = 0;
  actual.forEach((a, i) => {
    const e = expected[i];
    if (typeof a !== 'number' || typeof e !== 'number') {
      if (a !== e) worst = Infinity;
      return;
    }
    worst = Math.max(worst, Math.abs(a - e) / Math.max(1, Math.abs(e)));
  });
  return worst;
}
