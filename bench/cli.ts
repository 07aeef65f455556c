/**
 * The bench command line, shared by bench/run.ts and its tests: which sections exist, which ones a command line
 * names, and how the results of a partial run are merged into bench/RESULTS.md without losing the other sections.
 */
import { BenchSection, table } from './stats';

/** A section's module: `run()` measures and returns its part of RESULTS.md. */
export type SectionModule = { run(): Promise<BenchSection> };

// require (not import()) keeps sections lazy under CommonJS: a section's peers load only when it runs.
/* eslint-disable @typescript-eslint/no-require-imports */
/** Every section, in the order RESULTS.md lists them; `npm run bench -- <name>` runs one. */
export const SECTIONS: Record<string, () => SectionModule> = {
  'synth': () => require('./sections/synth'),
  'bundles': () => require('./sections/bundles'),
  'circuit-breaker': () => require('./sections/circuit-breaker'),
  'inference': () => require('./sections/inference'),
  'nag': () => require('./sections/nag'),
  'outbox': () => require('./sections/outbox'),
  'outbox-modes': () => require('./sections/outbox-modes'),
  'egress': () => require('./sections/egress'),
};
/* eslint-enable @typescript-eslint/no-require-imports */

/** The command that runs exactly one section, as RESULTS.md prints it beside that section's figures. */
export function commandFor(section: string): string {
  return `npm run bench -- ${section}`;
}

/** What a command line asks for: the sections to run (in RESULTS.md order) and whether only to name them. */
export interface BenchRequest {
  readonly sections: string[];
  /** `--dry-run`: print the sections that would run, measure nothing, write nothing. */
  readonly dryRun: boolean;
}

/**
 * Reads the arguments after `bench/run.ts`. No section names means every section. A `--` (projen passes it through
 * from `npx projen bench -- <section>`) is ignored. An unknown name is an error listing the known ones.
 */
export function parseArgs(args: readonly string[]): BenchRequest {
  const words = args.filter((a) => a !== '--');
  const dryRun = words.includes('--dry-run');
  const names = words.filter((a) => a !== '--dry-run');
  const unknown = names.filter((n) => !(n in SECTIONS));
  if (unknown.length > 0) {
    throw new Error(`unknown bench section(s) ${unknown.join(', ')}; known: ${Object.keys(SECTIONS).join(', ')}`);
  }
  const sections = names.length === 0 ? Object.keys(SECTIONS) : Object.keys(SECTIONS).filter((n) => names.includes(n));
  return { sections, dryRun };
}

/** Marks the start of a section's part of RESULTS.md, so a later partial run can replace just that part. */
const MARK = /^<!-- bench-section: ([a-z-]+) -->$/;
const mark = (name: string) => `<!-- bench-section: ${name} -->`;

/** A section's rendered part of RESULTS.md and its summary rows. */
interface RenderedSection {
  readonly text: string;
  readonly summary: string[][];
}

/** The sections of an existing RESULTS.md, by name (sections written before the marks existed are not kept). */
export function readSections(markdown: string): Map<string, RenderedSection> {
  const sections = new Map<string, RenderedSection>();
  const lines = markdown.split('\n');
  const summaryRows = lines.filter((l) => l.startsWith('| ') && l.includes('`npm run bench -- '));
  let current: string | undefined;
  let buffer: string[] = [];
  const flush = () => {
    if (current === undefined) return;
    const command = `\`${commandFor(current)}\``;
    const summary = summaryRows
      .filter((row) => row.trimEnd().endsWith(`| ${command} |`))
      .map((row) => row.slice(2, -2).split(' | '));
    sections.set(current, { text: buffer.join('\n').trim(), summary });
  };
  for (const line of lines) {
    const match = MARK.exec(line);
    if (match) {
      flush();
      current = match[1];
      buffer = [];
    } else if (current !== undefined) {
      buffer.push(line);
    }
  }
  flush();
  return sections;
}

/**
 * RESULTS.md after a run: the sections just measured replace their earlier versions, the others are kept as they
 * were, and the summary table lists every section's headline figures, each with the command that reproduces it.
 */
export function renderResults(header: string, fresh: Map<string, BenchSection>, previous: Map<string, RenderedSection>): string {
  const parts: Array<[string, RenderedSection]> = [];
  for (const name of Object.keys(SECTIONS)) {
    const section = fresh.get(name);
    if (section) {
      parts.push([name, {
        text: `## ${section.title}\n\n${section.method}\n\n${section.body}`,
        summary: (section.summary ?? []).map(([figure, value]) => [figure, value, `\`${commandFor(name)}\``]),
      }]);
    } else if (previous.has(name)) {
      parts.push([name, previous.get(name)!]);
    }
  }
  const summaryRows = parts.flatMap(([, p]) => p.summary);
  const summary = summaryRows.length ? `## Summary\n\n${table(['Figure', 'Value', 'Command'], summaryRows)}\n\n` : '';
  const body = parts.map(([name, p]) => `${mark(name)}\n${p.text}`).join('\n\n');
  return `${header}\n\n${summary}${body}\n`;
}
