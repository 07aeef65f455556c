/**
 * What `npm install cdk-serverless-patterns` delivers: the jsii build, every pre-bundled handler the constructs
 * point `Code.fromAsset` at, and the runtime helpers users import. Nothing of the development tree.
 *
 * Two tarballs: this tree's, and one packed from a copy of the repository in which only the jsii library is built
 * (as after `projen compile` on a fresh clone). Every way to build the package ends in `npm pack` (`npm run build`,
 * `package:js` and `package-all` through jsii-pacmak, `npm publish`), and npm runs the `prepack` task first: the
 * second tarball shows that it builds the bundles and helpers the first one only had because they were lying around.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ROOT, runtimeEntryPoints } from '../support/packed-package';

/** The files `npm pack` puts in the tarball (with `scripts`, npm runs `prepack` first). */
function packedFiles(dir: string, options: { scripts: boolean }): string[] {
  const args = ['pack', '--dry-run', '--json', ...(options.scripts ? [] : ['--ignore-scripts'])];
  const out = execFileSync('npm', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  // Scripts print their progress before npm's JSON.
  const json = out.slice(out.search(/^\[/m));
  return (JSON.parse(json) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path);
}

/**
 * A copy of the repository's tracked files with the jsii build (`.jsii`, lib/**\/*.js and *.d.ts) and nothing else
 * built: no assets/, no runtime/, no compiled lambda/runtime. node_modules is linked.
 */
function treeWithOnlyTheLibraryBuilt(): string {
  const copy = mkdtempSync(join(tmpdir(), 'package-tree-'));
  const tracked = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0')
    .filter((f) => f && !/^(test|bench)\//.test(f) && existsSync(join(ROOT, f)));
  const jsiiBuild = execFileSync('find', ['lib', '-name', '*.js', '-o', '-name', '*.d.ts'], { cwd: ROOT, encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const file of [...tracked, ...jsiiBuild, '.jsii']) cpSync(join(ROOT, file), join(copy, file), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

/** Where scripts/bundle.mjs writes each handler's bundle (lambda/<name>/bundle.json may rename it). */
function bundlePath(handler: string): string {
  const config = join(ROOT, 'lambda', handler, 'bundle.json');
  const outfile = existsSync(config) ? (JSON.parse(readFileSync(config, 'utf8')) as { outfile?: string }).outfile : undefined;
  return `assets/${handler}/${outfile ?? 'index.js'}`;
}

const handlers = readdirSync(join(ROOT, 'lambda')).filter((name) => name !== 'runtime' && existsSync(join(ROOT, 'lambda', name, 'index.ts')));
const runtimeFiles = runtimeEntryPoints().map((e) => e.file);

describe('the tarball of this tree', () => {
  const files = packedFiles(ROOT, { scripts: false });

  test('ships the jsii build, the API reference and the licence', () => {
    expect(files).toEqual(expect.arrayContaining(['.jsii', 'lib/index.js', 'lib/index.d.ts', 'API.md', 'README.md', 'LICENSE', 'package.json']));
  });

  test.each(handlers)('ships the pre-bundled %s handler', (handler) => {
    expect(files).toContain(bundlePath(handler));
  });

  test('ships the extension layer as the zip with fixed file modes the construct uploads', () => {
    expect(files).toContain('assets/circuit-breaker-extension.zip');
  });

  test.each(runtimeFiles)('ships runtime/%s with its declarations', (entry) => {
    expect(files).toEqual(expect.arrayContaining([`runtime/${entry}.js`, `runtime/${entry}.d.ts`]));
  });

  test('ships no sources, tests, benchmarks, diagrams or build tooling', () => {
    const forbidden = files.filter((f) =>
      /^(lambda\/(?!runtime\/)|test\/|bench\/|scripts\/|bin\/|docs\/|cdk\.out\/|projenrc\/|\.projen\/|\.ci\/)/.test(f) ||
      (f.endsWith('.ts') && !f.endsWith('.d.ts')) ||
      /^(tsconfig.*\.json|cdk\.json|jest\.config\.json|\.projenrc\.ts)$/.test(f));
    expect(forbidden).toEqual([]);
  });
});

describe('the tarball of a tree where only the jsii library was built (npm pack runs prepack)', () => {
  let tree: string;
  let files: string[];
  beforeAll(() => {
    tree = treeWithOnlyTheLibraryBuilt();
    files = packedFiles(tree, { scripts: true });
  }, 180_000);
  afterAll(() => rmSync(tree, { recursive: true, force: true }));

  test.each(handlers)('ships the %s handler, bundled by prepack', (handler) => {
    expect(files).toContain(bundlePath(handler));
  });

  test.each(runtimeFiles)('ships runtime/%s and the helpers it re-exports, compiled by prepack', (entry) => {
    expect(files).toEqual(expect.arrayContaining([`runtime/${entry}.js`, `runtime/${entry}.d.ts`]));
    const target = /require\("([^"]+)"\)/.exec(readFileSync(join(tree, 'runtime', `${entry}.js`), 'utf8'))![1];
    const helper = join(dirname(`runtime/${entry}`), target).replace(/\\/g, '/');
    expect(files).toEqual(expect.arrayContaining([`${helper}.js`, `${helper}.d.ts`]));
  });
});
