// jsii-pacmak over the compiled assembly, one target at a time, into node_modules/.cache/languages/dist.
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sh } from './process.mjs';
import { JSII_QUIET } from './versions.mjs';

const TARGETS = ['python', 'java', 'go', 'dotnet'];

/** The newest modification time of the TypeScript sources (not declarations) under `dir`. */
function newestSource(dir) {
  return Math.max(0, ...readdirSync(dir, { withFileTypes: true }).map((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return newestSource(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? statSync(path).mtimeMs : 0;
  }));
}

/**
 * Problems with the compiled assembly as the other languages would see it: missing or older than lib/, a missing
 * target, or a name that is a keyword in one of them (jsii renames it there, and the project compiles with that
 * warning silenced).
 */
export function assemblyProblems(root) {
  const file = join(root, '.jsii');
  if (!existsSync(file)) return ['no compiled assembly (.jsii): run `npx projen compile` first'];
  if (statSync(file).mtimeMs < newestSource(join(root, 'lib'))) return ['the compiled assembly (.jsii) is older than lib/: run `npx projen compile` first'];
  const assembly = JSON.parse(readFileSync(file, 'utf8'));
  const problems = TARGETS.filter((t) => !assembly.targets?.[t]).map((t) => `the assembly has no ${t} target: recompile after adding it`);
  // jsii's own keyword lists (not in its package exports, so loaded by path).
  const { isReservedName } = createRequire(import.meta.url)(join(root, 'node_modules', 'jsii', 'lib', 'reserved-words.js'));
  for (const [fqn, type] of Object.entries(assembly.types)) {
    const names = [
      ...(type.properties ?? []).map((p) => p.name),
      ...(type.methods ?? []).flatMap((m) => [m.name, ...(m.parameters ?? []).map((p) => p.name)]),
      ...(type.initializer?.parameters ?? []).map((p) => p.name),
      ...(type.members ?? []).map((m) => m.name),
    ];
    for (const name of names) {
      const languages = isReservedName(name);
      if (languages) problems.push(`${fqn}: "${name}" is a keyword in ${languages.join(', ')}`);
    }
  }
  return problems;
}

/** Runs jsii-pacmak for one target over `projects` (the library by default); returns the target's output folder. */
export function pacmak(ctx, target, { projects = ['.'], codeOnly = false, extra = [] } = {}) {
  const out = join(ctx.dist, target);
  rmSync(out, { recursive: true, force: true });
  const args = ['jsii-pacmak', '--target', target, '-o', ctx.dist, '--no-npmignore', '--no-fingerprint', ...(codeOnly ? ['--code-only'] : []), ...extra, ...projects];
  sh(ctx.log, 'npx', args, { cwd: ctx.root, env: JSII_QUIET });
  return out;
}
