/** What the tests read from README.md: its fenced code blocks and the runtime helpers' package table. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const README_PATH = join(__dirname, '..', '..', 'README.md');

export function readme(): string {
  return readFileSync(README_PATH, 'utf8');
}

/** A fenced code block: its info string's language and the README line of its first line of code (1-based). */
export interface CodeBlock {
  readonly language: string;
  readonly line: number;
  readonly code: string;
}

export function codeBlocks(markdown: string): CodeBlock[] {
  const lines = markdown.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*([\w+-]*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, language] = open;
    const body: string[] = [];
    let j = i + 1;
    // A fence closes with at least as many of the same characters (CommonMark); an unclosed one runs to the end.
    while (j < lines.length && !new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`).test(lines[j])) {
      body.push(lines[j].startsWith(indent) ? lines[j].slice(indent.length) : lines[j]);
      j++;
    }
    blocks.push({ language: language.toLowerCase(), line: i + 2, code: body.join('\n') });
    i = j;
  }
  return blocks;
}

/** What a function importing a runtime helper needs: at run time, and in addition for TypeScript. */
export interface HelperNeeds {
  readonly runtime: readonly string[];
  readonly typescript: readonly string[];
}

/**
 * The table under "Handler runtime helpers": import path → packages (in backquotes). "all of the above" stands for
 * the union of the rows above it.
 */
export function runtimeHelperTable(markdown: string): Map<string, HelperNeeds> {
  const lines = markdown.split('\n');
  const header = lines.findIndex((l) => /^\|\s*import\s*\|\s*your function needs\s*\|/.test(l));
  if (header < 0) throw new Error('README.md has no table with the header "| import | your function needs |"');
  const table = new Map<string, HelperNeeds>();
  for (const row of lines.slice(header + 2)) {
    if (!row.startsWith('|')) break;
    const [importCell, runtimeCell, typescriptCell = ''] = row.split('|').slice(1, -1);
    const specifier = quoted(importCell)[0];
    const union = (pick: (n: HelperNeeds) => readonly string[], cell: string) =>
      /all of the above/.test(cell) ? [...new Set([...table.values()].flatMap(pick))].sort() : quoted(cell);
    table.set(specifier, { runtime: union((n) => n.runtime, runtimeCell), typescript: union((n) => n.typescript, typescriptCell) });
  }
  return table;
}

function quoted(cell: string): string[] {
  return [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
}
