import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const SCRIPT = join(__dirname, '..', '..', 'scripts', 'cfn-lint.mjs');

/** One cfn-lint finding, tied back to the template and resource it is about. */
export interface CfnLintFinding {
  /** The name the template was linted under. */
  readonly template: string;
  /** The rule id, e.g. `E3033`: E errors, W warnings, I informational. */
  readonly rule: string;
  readonly message: string;
  /** The JSON path inside the template, e.g. `Resources/Fn/Properties/Handler`. */
  readonly path: string;
  /** The logical id and type of the resource the finding is in, when it is inside one. */
  readonly logicalId?: string;
  readonly resourceType?: string;
}

/** The subset of cfn-lint's `--format json` output read here. */
interface RawFinding {
  readonly Filename: string;
  readonly Message: string;
  readonly Rule: { readonly Id: string };
  readonly Location: { readonly Path: Array<string | number> | null };
}

/**
 * Lints every template in one cfn-lint process (it takes about half a second to start, and far longer to load its
 * schemas per region) and returns every finding, informational ones included.
 */
export function lintTemplates(templates: Record<string, object>, regions: string): CfnLintFinding[] {
  const dir = mkdtempSync(join(tmpdir(), 'cfn-lint-'));
  const fileOf = new Map<string, string>();
  for (const [name, body] of Object.entries(templates)) {
    const file = join(dir, `${name.replace(/[^A-Za-z0-9_-]+/g, '--')}.template.json`);
    if ([...fileOf.values()].includes(file)) throw new Error(`two templates would share the file ${file}`);
    writeFileSync(file, JSON.stringify(body, undefined, 1));
    fileOf.set(name, file);
  }
  const lint = spawnSync(
    process.execPath,
    [SCRIPT, '--format', 'json', '--include-checks', 'I', '--non-zero-exit-code', 'none', '--regions', regions, '--', ...fileOf.values()],
    { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 },
  );
  if (lint.status !== 0) throw new Error(`cfn-lint exited with ${lint.status}:\n${lint.stderr}${lint.stdout}`);
  const nameOf = new Map([...fileOf].map(([name, file]) => [file, name]));
  return (JSON.parse(lint.stdout) as RawFinding[]).map((raw) => {
    const template = nameOf.get(raw.Filename);
    if (template === undefined) throw new Error(`cfn-lint reported on a file it was not given: ${raw.Filename}`);
    const path = raw.Location.Path ?? [];
    const [section, logicalId] = path;
    const inResource = section === 'Resources' && typeof logicalId === 'string';
    const resources = (templates[template] as { Resources?: Record<string, { Type: string }> }).Resources ?? {};
    return {
      template,
      rule: raw.Rule.Id,
      message: raw.Message,
      path: path.join('/'),
      logicalId: inResource ? logicalId : undefined,
      resourceType: inResource ? resources[logicalId]?.Type : undefined,
    };
  });
}

/** `template: rule at path (type): message`, the line a failing test prints for each finding. */
export function describeFinding(f: CfnLintFinding): string {
  const message = f.message.length > 300 ? `${f.message.slice(0, 300)}…` : f.message;
  return `${f.template}: ${f.rule} at ${f.path}${f.resourceType ? ` (${f.resourceType})` : ''}: ${message}`;
}

/** A committed cloud-assembly template, read as-is. */
export function readTemplate(file: string): object {
  return JSON.parse(readFileSync(file, 'utf8'));
}
