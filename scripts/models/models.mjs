// Prints the folder holding the generated test models (tiny/ and ranker/, each with model.onnx, request.json and
// reference.json), generating them with scripts/models/generate.py when missing. The folder is named after a hash of
// the generator and its pinned requirements, so a change to either regenerates; it is written under a private name
// and renamed into place, so concurrent callers never read a half-written model.
//
//   node scripts/models/models.mjs
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensurePinnedVenv, publishDirectory, runQuietly } from '../pinned-venv.mjs';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..', '..');
const generator = join(here, 'generate.py');
const requirements = join(here, 'requirements.txt');

const hash = createHash('sha256').update(readFileSync(generator)).update(readFileSync(requirements)).digest('hex').slice(0, 16);
const modelsDir = join(root, 'node_modules', '.cache', 'onnx-test-models', hash);
try {
  if (!existsSync(join(modelsDir, 'ranker', 'reference.json'))) {
    const python = ensurePinnedVenv('onnx-model-tools', requirements);
    const partial = `${modelsDir}.partial-${process.pid}`;
    mkdirSync(partial, { recursive: true });
    runQuietly(python, [generator, partial]);
    publishDirectory(partial, modelsDir);
  }
} catch (error) {
  process.stderr.write(`models: ${error.message}\n`);
  process.exit(2);
}
process.stdout.write(`${modelsDir}\n`);
