/**
 * Every TypeScript snippet in README.md compiles on its own, as a user would paste it into a file of their app:
 * each ```ts block is a module of its own (its imports, and `declare const` for what it takes from around it),
 * compiled strictly under node16 module resolution. The package is imported by its name, which resolves through
 * its own `exports` map to the built declarations (the library and runtime/<entry>), as it does for a user.
 * A failure names the README line.
 */
import { join } from 'node:path';
import * as ts from 'typescript';
import { codeBlocks, readme, README_PATH } from './support/readme';

const ROOT = join(__dirname, '..');
/** Where the snippets pretend to live: inside the package, so that its name resolves to itself. Never written. */
const SNIPPET_DIR = join(ROOT, '.readme-snippets');

const snippets = codeBlocks(readme())
  .filter((block) => ['ts', 'typescript'].includes(block.language))
  .map((block) => ({ ...block, fileName: join(SNIPPET_DIR, `README.md-line-${block.line}.ts`) }));

let errors: Map<string, string[]>;

beforeAll(() => {
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.Node16,
    moduleResolution: ts.ModuleResolutionKind.Node16,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2022.d.ts'],
    types: ['node'],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
  };
  const host = ts.createCompilerHost(options);
  const sources = new Map(snippets.map((s) => [s.fileName, moduleSource(s.code)]));
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => sources.has(f) || fileExists.call(host, f);
  host.readFile = (f) => sources.get(f) ?? readFile.call(host, f);
  host.getSourceFile = (f, language, ...rest) =>
    sources.has(f) ? ts.createSourceFile(f, sources.get(f)!, language, true) : getSourceFile.call(host, f, language, ...rest);
  const program = ts.createProgram({ rootNames: [...sources.keys()], options, host });
  // Only the snippets are checked: the library's own sources are type-checked by `typecheck`.
  errors = new Map(snippets.map((s) => {
    const file = program.getSourceFile(s.fileName)!;
    const diagnostics = [...program.getSyntacticDiagnostics(file), ...program.getSemanticDiagnostics(file)];
    return [s.fileName, diagnostics.map((d) => {
      const line = s.line + file.getLineAndCharacterOfPosition(d.start ?? 0).line;
      return `README.md:${line}: TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
    })];
  }));
}, 120_000);

test('README.md has TypeScript snippets to check', () => {
  expect(README_PATH.endsWith('README.md')).toBe(true);
  expect(snippets.length).toBeGreaterThan(5);
});

test.each(snippets.map((s) => [s.line, s.fileName]))('the snippet at README.md line %i compiles on its own', (_line, fileName) => {
  expect(errors.get(fileName)).toEqual([]);
});

/** A snippet without imports or exports would be a script sharing one global scope with the others. */
function moduleSource(code: string): string {
  return /^\s*(import|export)\s/m.test(code) ? code : `${code}\nexport {};\n`;
}
