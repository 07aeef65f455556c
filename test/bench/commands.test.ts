/**
 * Every command bench/RESULTS.md prints beside a figure must run exactly the section it names: the name must be one
 * the bench CLI accepts, and the command projen runs for `npm run bench -- <section>` must select that section
 * alone (checked by running that very command with `--dry-run`, which names the selected sections and measures
 * nothing).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandFor, parseArgs, readSections, renderResults, SECTIONS } from '../../bench/cli';

const ROOT = join(__dirname, '..', '..');
const RESULTS = readFileSync(join(ROOT, 'bench', 'RESULTS.md'), 'utf8');

interface Step { exec?: string; spawn?: string; receiveArgs?: boolean }
const benchTask = (JSON.parse(readFileSync(join(ROOT, '.projen', 'tasks.json'), 'utf8')) as { tasks: Record<string, { steps?: Step[] }> }).tasks.bench;

/** Every `npm run bench -- <words>` command in RESULTS.md, as the words after `--`. */
const printed = [...RESULTS.matchAll(/`npm run bench -- ([^`]*)`/g)].map((m) => m[1].trim().split(/\s+/));

test('RESULTS.md prints commands, each naming sections the bench CLI accepts', () => {
  expect(printed.length).toBeGreaterThan(0);
  for (const words of printed) {
    for (const word of words) expect(Object.keys(SECTIONS)).toContain(word);
  }
});

test('projen passes the arguments of `npm run bench -- <section>` to the bench script, and to no other step', () => {
  // projen accepts arguments after a task name only when one of its steps receives them ("Unknown command"
  // otherwise), and appends them to exactly those steps.
  const receiving = (benchTask.steps ?? []).filter((s) => s.receiveArgs);
  expect(receiving.map((s) => s.exec)).toEqual(['node -r ts-node/register/transpile-only bench/run.ts']);
});

test('each printed command runs exactly the section it names', () => {
  const step = (benchTask.steps ?? []).find((s) => s.receiveArgs)!;
  const [command, ...args] = step.exec!.split(' ');
  for (const words of new Set(printed.map((w) => w.join(' ')))) {
    const selected = execFileSync(command, [...args, '--dry-run', ...words.split(' ')], { cwd: ROOT, encoding: 'utf8' });
    expect(selected.trim().split('\n')).toEqual(words.split(' '));
  }
}, 120_000);

test('the CLI: no name runs every section, `--` is ignored, an unknown name is refused with the known ones', () => {
  expect(parseArgs([]).sections).toEqual(Object.keys(SECTIONS));
  expect(parseArgs(['--', 'nag']).sections).toEqual(['nag']);
  expect(parseArgs(['nag', 'synth']).sections).toEqual(['synth', 'nag']);
  expect(() => parseArgs(['synthesis'])).toThrow(/unknown bench section\(s\) synthesis; known: synth, bundles/);
});

test('a partial run replaces its own section and summary rows and keeps every other section', () => {
  const previous = readSections(RESULTS);
  expect([...previous.keys()]).toEqual(Object.keys(SECTIONS));
  const fresh = new Map([['nag', { title: 'cdk-nag pack run time', method: 'new method', body: 'new body', summary: [['Nag figure', '0.9×']] as Array<[string, string]> }]]);
  const merged = renderResults('# Benchmark results', fresh, previous);
  const after = readSections(merged);
  for (const name of Object.keys(SECTIONS).filter((n) => n !== 'nag')) expect(after.get(name)).toEqual(previous.get(name));
  expect(after.get('nag')).toEqual({ text: '## cdk-nag pack run time\n\nnew method\n\nnew body', summary: [['Nag figure', '0.9×', `\`${commandFor('nag')}\``]] });
  expect(merged.indexOf('Nag figure')).toBeLessThan(merged.indexOf('<!-- bench-section: synth -->'));
});

test('the handler overhead is written in one place: RESULTS.md has it per model, the README only points there', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const paragraph = readme.split('\n\n').find((p) => p.startsWith('Overhead of the built-in handler'));
  expect(paragraph).toContain('[bench/RESULTS.md](bench/RESULTS.md)');
  expect(paragraph).not.toMatch(/\d\.\d+×/);
  const rows = RESULTS.split('\n').filter((line) => line.startsWith('| ONNX handler overhead vs a direct onnxruntime call'));
  expect(rows.filter((line) => line.includes('(public)')).length).toBeGreaterThanOrEqual(2);
  for (const row of rows) expect(row).toMatch(/\| \d+\.\d+× \/ \d+\.\d+× \|/);
});
