// Proves the Python, Java and Go packages work the way their users would use them: builds each with jsii-pacmak from
// the compiled assembly, then, in a scratch app outside the repository with aws-cdk-lib, constructs and cdk-nag from
// that language's own registry (pinned to the supported floor), synthesizes README.md's snippets for the language
// under cdk-nag and checks the template; .NET is generated only. Run by CI after `npm test` (it is slow).
//
//   node scripts/languages/run.mjs [--only python,java,go,dotnet]
//
// Caches (pip virtualenv, Maven repository, Go modules and builds) live in node_modules/.cache/languages.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { dotnet } from './dotnet.mjs';
import { go } from './go.mjs';
import { java } from './java.mjs';
import { python } from './python.mjs';
import { assemblyProblems } from './pacmak.mjs';
import { Steps } from './process.mjs';
import { readmeSnippets } from './readme.mjs';
import { scratchDirectory } from './scratch.mjs';
import { EXPECTATION_COUNT, missingFromTemplate, templateDifferences } from './template.mjs';

const LANGUAGES = { python, java, go, dotnet };
const root = new URL('../..', import.meta.url).pathname;
const cache = join(root, 'node_modules', '.cache', 'languages');
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1].split(',') : Object.keys(LANGUAGES);
const unknown = only.filter((name) => !LANGUAGES[name]);
if (unknown.length > 0) {
  console.error(`unknown language(s): ${unknown.join(', ')}; choose from ${Object.keys(LANGUAGES).join(', ')}`);
  process.exit(2);
}

const problems = assemblyProblems(root);
if (problems.length > 0) {
  console.error(`languages: the assembly is not ready:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

const readme = readFileSync(join(root, 'README.md'), 'utf8');
const logs = join(cache, 'logs');
mkdirSync(logs, { recursive: true });
const results = [];
for (const name of only) {
  const language = LANGUAGES[name];
  const log = join(logs, `${name}.log`);
  rmSync(log, { force: true });
  const scratch = language.fence ? scratchDirectory(name) : undefined;
  const ctx = { root, cache, log, scratch, dist: join(cache, 'dist'), m2: join(cache, 'java', 'm2') };
  const steps = new Steps();
  console.log(`${language.name}: building and synthesizing (log: ${log})`);
  try {
    const missingTools = language.tools.filter((tool) => spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0);
    if (missingTools.length > 0) throw new Error(`not installed: ${missingTools.join(', ')}`);
    const snippets = language.fence ? readmeSnippets(readme, language.fence) : undefined;
    const outcome = language.run(ctx, steps, snippets);
    const missing = outcome.template ? missingFromTemplate(outcome.template) : [];
    if (missing.length > 0) throw new Error(`the template misses: ${missing.join('; ')}`);
    results.push({ name, language, steps, scratch, ok: true, ...outcome });
  } catch (err) {
    results.push({ name, language, steps, scratch, ok: false, error: err.message });
  }
}

// Every language that synthesized must have produced the same template (the snippets say the same thing).
const synthesized = results.filter((r) => r.ok && r.template);
for (const other of synthesized.slice(1)) {
  const differing = templateDifferences(synthesized[0].template, other.template);
  if (differing.length > 0) {
    Object.assign(other, { ok: false, error: `template differs from ${synthesized[0].language.name}'s in ${differing.slice(0, 5).join(', ')}` });
  }
}

// A failed language's scratch app is kept for a look; the others go (a Go app holds an 80 MB binary).
for (const r of results.filter((x) => x.scratch && existsSync(x.scratch))) {
  if (r.ok) rmSync(r.scratch, { recursive: true, force: true });
  else console.log(`${r.language.name}: scratch app kept in ${r.scratch}`);
}

console.log('\nlanguage  result      time   steps');
for (const r of results) {
  const verdict = !r.ok ? 'FAILED' : r.language.generatedOnly ? 'generated' : 'passed';
  console.log(`${r.language.name.padEnd(9)} ${verdict.padEnd(10)} ${`${r.steps.seconds.toFixed(0)} s`.padStart(6)}   ${r.steps}`);
  if (r.ok && r.template) console.log(`          ${EXPECTATION_COUNT} template checks, cdk-nag enforced and probed; ${r.versions}`);
  else if (r.ok) console.log(`          ${r.versions}`);
  else console.log(`          ${r.error.split('\n').join('\n          ')}`);
}
const total = results.reduce((sum, r) => sum + r.steps.seconds, 0);
const failed = results.filter((r) => !r.ok).length;
if (synthesized.length > 1 && failed === 0) console.log(`templates identical across ${synthesized.map((r) => r.language.name).join(', ')}`);
console.log(`languages: ${results.length - failed} passed, ${failed} failed (${total.toFixed(0)} s)`);
process.exit(failed > 0 ? 1 : 0);
