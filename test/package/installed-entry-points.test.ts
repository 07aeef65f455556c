/**
 * Every entry point of the packed package, used as a user's app would use it, given only the packages the README
 * lists for it: required from CommonJS, imported from an ES module (the same named exports), and type-checked from
 * a `.ts` and a `.mts` file with `skipLibCheck: false` under each module resolution TypeScript users pick.
 *
 * Type checking runs in this process with one cache of parsed declaration files shared by every program, and
 * checks the app's files and the package's declarations (what this package controls). The third-party
 * declarations are checked in full once, for the entry point that pulls in all of them.
 */
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as ts from 'typescript';
import { installApp, PACKAGE_NAME, packAndUnpack, peerDependencies, ROOT, runtimeEntryPoints } from '../support/packed-package';
import { readme, runtimeHelperTable } from '../support/readme';

const run = promisify(execFile);

/** Entry points: the construct library (with the peers the README's install line adds) and each runtime helper. */
const RUNTIME_SPECIFIERS = runtimeEntryPoints().map((e) => e.specifier);
const HELPER_NEEDS = runtimeHelperTable(readme());
const ENTRY_POINTS: Array<{ specifier: string; runtime: readonly string[]; typescript: readonly string[] }> = [
  { specifier: PACKAGE_NAME, runtime: peerDependencies(), typescript: [] },
  ...RUNTIME_SPECIFIERS.map((specifier) => ({ specifier, ...(HELPER_NEEDS.get(specifier) ?? { runtime: [], typescript: [] }) })),
];
/** Names Node's ES module loader adds to a CommonJS module's namespace: `module.exports` itself, and the flag. */
const ESM_INTEROP_NAMES = ['default', '__esModule'];
/** Every TypeScript project has these: the compiler's Node.js types (`"types": ["node"]`). */
const TYPESCRIPT_BASELINE = ['@types/node'];

/** The settings that differ between module resolutions; all are strict, without lib checks skipped. */
const RESOLUTIONS: Record<string, ts.CompilerOptions> = {
  node16: { module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16 },
  nodenext: { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext },
  bundler: { module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler },
  // Deprecated by TypeScript 6 but still what older projects (and `cdk init`'s tsconfig before node16) use: it
  // ignores the exports map and finds runtime/<entry>.d.ts (or runtime/<entry>/index.d.ts) by path.
  node10: { module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, ignoreDeprecations: '6.0' },
};

let work: string;
const appOf = (specifier: string) => join(work, 'apps', specifier.replace(/\//g, '__'));

beforeAll(() => {
  const packed = packAndUnpack('installed-entry-points-');
  work = packed.work;
  for (const { specifier, runtime, typescript } of ENTRY_POINTS) {
    const app = appOf(specifier);
    installApp(app, packed.unpacked, [...new Set([...runtime, ...typescript, ...TYPESCRIPT_BASELINE])]);
    // One process per app: the ES module import, and require() as CommonJS code calls it ('require' condition).
    writeFileSync(join(app, 'consumer.mjs'), [
      'import { createRequire } from \'node:module\';',
      `import * as entry from ${JSON.stringify(specifier)};`,
      `const required = createRequire(import.meta.url)(${JSON.stringify(specifier)});`,
      // The very same objects (one copy of each class, so `instanceof` holds across both ways of loading).
      'const identical = Object.keys(required).every((name) => entry[name] === required[name]);',
      'console.log(JSON.stringify({ required: Object.keys(required), imported: Object.keys(entry), identical }));',
    ].join('\n'));
    // Each runtime value's type must be a real type, not `any` (what a missing declaration package degrades to).
    const source = `import * as entry from ${JSON.stringify(specifier)};\n` +
      'type AnyKeys<T> = { [K in keyof T]: 0 extends 1 & T[K] ? K : never }[keyof T];\n' +
      'export const noExportIsAny: [AnyKeys<typeof entry>] extends [never] ? true : AnyKeys<typeof entry> = true;\n';
    writeFileSync(join(app, 'consumer.ts'), source);
    writeFileSync(join(app, 'consumer.mts'), source);
  }
}, 120_000);

test('the README table lists every runtime entry point, and nothing else', () => {
  expect([...HELPER_NEEDS.keys()].sort()).toEqual([...RUNTIME_SPECIFIERS].sort());
});

test('the package.json exports map has exactly the library, the runtime entry points, .jsii and package.json', () => {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
  const expected = ['.', './.jsii', './package.json', ...RUNTIME_SPECIFIERS.map((s) => `.${s.slice(PACKAGE_NAME.length)}`)];
  expect(Object.keys(pkg.exports).sort()).toEqual(expected.sort());
});

describe.each(ENTRY_POINTS.map((e) => [e.specifier, e] as const))('%s', (specifier, entryPoint) => {
  test('require() from CommonJS and import from an ES module give the same named exports, the very same objects', async () => {
    const env = { ...process.env, JSII_DEPRECATED: 'quiet', NODE_NO_WARNINGS: '1' };
    const { stdout } = await run('node', ['consumer.mjs'], { cwd: appOf(specifier), env });
    const { required, imported, identical } = JSON.parse(stdout) as { required: string[]; imported: string[]; identical: boolean };
    expect(required.length).toBeGreaterThan(0);
    expect(imported.filter((n) => !ESM_INTEROP_NAMES.includes(n)).sort()).toEqual([...required].sort());
    expect(identical).toBe(true);
  }, 60_000);

  test.each(Object.keys(RESOLUTIONS))('type-checks from .ts and .mts under moduleResolution %s, skipLibCheck false', (resolution) => {
    expect(typeErrors(appOf(specifier), resolution, { ownFilesOnly: true })).toEqual([]);
  });

  if (entryPoint.specifier === `${PACKAGE_NAME}/runtime`) {
    test('with every package it needs, the third-party declarations compile too (skipLibCheck false, node16)', () => {
      expect(typeErrors(appOf(specifier), 'node16', { ownFilesOnly: false })).toEqual([]);
    });
  }
});

const sourceFiles = new Map<string, ts.SourceFile | undefined>();

/** Diagnostics of compiling the app's consumer files, as `file(line,col): TSxxxx message` strings. */
function typeErrors(app: string, resolution: string, options: { ownFilesOnly: boolean }): string[] {
  const compilerOptions: ts.CompilerOptions = {
    ...RESOLUTIONS[resolution],
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    strict: true,
    skipLibCheck: false,
    noEmit: true,
    types: ['node'],
  };
  const host = ts.createCompilerHost(compilerOptions);
  // Parsed declaration files are shared by every program (keyed by how they were parsed); checking is per program.
  const parse = host.getSourceFile.bind(host);
  host.getSourceFile = (fileName, languageVersionOrOptions, onError) => {
    const key = `${fileName}\0${JSON.stringify(languageVersionOrOptions)}`;
    if (!sourceFiles.has(key)) sourceFiles.set(key, parse(fileName, languageVersionOrOptions, onError));
    return sourceFiles.get(key);
  };
  const roots = ['consumer.ts', 'consumer.mts'].map((f) => join(app, f));
  const program = ts.createProgram({ rootNames: roots, options: compilerOptions, host });
  // The app's own files and the package copied into it; linked packages resolve to this project's node_modules.
  const checked = program.getSourceFiles().filter((sf) => !options.ownFilesOnly || sf.fileName.startsWith(`${app}/`));
  const diagnostics = [
    ...program.getOptionsDiagnostics(),
    ...program.getGlobalDiagnostics(),
    ...checked.flatMap((sf) => [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)]),
  ];
  return diagnostics.map((d) => {
    const where = d.file ? `${d.file.fileName.replace(`${app}/`, '')}(${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1})` : resolution;
    return `${where}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

afterAll(() => rmSync(work, { recursive: true, force: true }));
