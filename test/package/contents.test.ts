/**
 * What `npm install cdk-serverless-patterns` delivers: the jsii build, every pre-bundled handler the constructs
 * point `Code.fromAsset` at, and the runtime helpers users import. Nothing of the development tree.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

function packedFiles(): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
}

/** Where scripts/bundle.mjs writes each handler's bundle (lambda/<name>/bundle.json may rename it). */
function bundlePath(handler: string): string {
  const config = join(root, 'lambda', handler, 'bundle.json');
  const outfile = existsSync(config) ? (JSON.parse(readFileSync(config, 'utf8')) as { outfile?: string }).outfile : undefined;
  return `assets/${handler}/${outfile ?? 'index.js'}`;
}

const files = packedFiles();
const handlers = readdirSync(join(root, 'lambda')).filter((name) => name !== 'runtime' && existsSync(join(root, 'lambda', name, 'index.ts')));

test('ships the jsii build, the API reference and the licence', () => {
  expect(files).toEqual(expect.arrayContaining(['.jsii', 'lib/index.js', 'lib/index.d.ts', 'API.md', 'README.md', 'LICENSE', 'package.json']));
});

test.each(handlers)('ships the pre-bundled %s handler', (handler) => {
  expect(files).toContain(bundlePath(handler));
});

test.each(['index', 'fifo-publisher', 'fifo-consumer', 'idempotent-consumer', 'circuit-breaker/index', 'outbox/index'])('ships runtime/%s with its declarations', (entry) => {
  expect(files).toEqual(expect.arrayContaining([`runtime/${entry}.js`, `runtime/${entry}.d.ts`]));
});

test('ships no sources, tests, benchmarks or build tooling', () => {
  const forbidden = files.filter((f) =>
    /^(lambda\/(?!runtime\/)|test\/|bench\/|scripts\/|bin\/|cdk\.out\/|projenrc\/|\.projen\/|\.ci\/)/.test(f) ||
    (f.endsWith('.ts') && !f.endsWith('.d.ts')) ||
    /^(tsconfig.*\.json|cdk\.json|jest\.config\.json|\.projenrc\.ts)$/.test(f));
  expect(forbidden).toEqual([]);
});
