/** The onnxruntime layer assembled at synth from the installed onnxruntime-node, without network or Docker. */
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { assembleOnnxRuntimeLayer, OnnxRuntimeUnavailableError } from '../../../lib/efs-inference/private/onnx-runtime-layer';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? filesUnder(join(dir, e.name)) : [join(dir, e.name)]);
}

describe.each(['arm64', 'x64'] as const)('for %s', (arch) => {
  const layer = assembleOnnxRuntimeLayer(arch);
  const files = filesUnder(layer.dir).map((f) => relative(layer.dir, f));

  test('holds onnxruntime-node with only the Linux binaries of that architecture, and onnxruntime-common', () => {
    const binaries = files.filter((f) => f.includes('/bin/'));
    expect(binaries.sort()).toEqual([
      `nodejs/node_modules/onnxruntime-node/bin/napi-v6/linux/${arch}/libonnxruntime.so.1`,
      `nodejs/node_modules/onnxruntime-node/bin/napi-v6/linux/${arch}/onnxruntime_binding.node`,
    ]);
    expect(files).toEqual(expect.arrayContaining([
      'nodejs/node_modules/onnxruntime-node/package.json',
      'nodejs/node_modules/onnxruntime-node/dist/index.js',
      'nodejs/node_modules/onnxruntime-common/package.json',
      'nodejs/node_modules/onnxruntime-common/dist/cjs/index.js',
    ]));
    expect(files.filter((f) => f.endsWith('.d.ts') || f.endsWith('.map') || f.includes('/esm/'))).toEqual([]);
  });

  test('reports its unzipped size (well under Lambda\'s 250 MB, where the whole package is ~290 MB)', () => {
    expect(layer.bytes).toBe(files.reduce((sum, f) => sum + statSync(join(layer.dir, f)).size, 0));
    expect(layer.bytes).toBeLessThan(50 * 1024 * 1024);
  });

  test('is built once: a second synth reuses the folder and its content hash', () => {
    expect(assembleOnnxRuntimeLayer(arch)).toEqual(layer);
    expect(layer.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});

test('an app without onnxruntime-node gets an error naming the package and the fix', () => {
  expect(() => assembleOnnxRuntimeLayer('arm64', ['/nonexistent'])).toThrow(OnnxRuntimeUnavailableError);
  expect(() => assembleOnnxRuntimeLayer('arm64', ['/nonexistent'])).toThrow(/onnxruntime-node is not installed where the app runs \(searched from \/nonexistent\); fix: npm install onnxruntime-node/);
});
