/**
 * Architecture diagrams of the example stacks, drawn by cdk-dia from each stack's synthesized construct tree.
 * Every class of the `examples` submodule that is a Stack gets one: a new example stack gets its diagram (and the
 * freshness test, test/docs/diagrams.test.ts, asks for it) without a change here.
 *
 * Run as a script (`npm run diagrams`), it writes docs/diagrams/<name>.dot and <name>.png (rendered by Graphviz's
 * `dot`) and diagrams.json, which records the hashes of both, so the test can tell that each PNG was rendered from
 * the committed DOT without rendering it (PNG bytes differ between Graphviz builds; the DOT text does not).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { AwsDiagramGenerator, AwsEdgeResolver, AwsIconSupplier, Graphviz, TreeJsonLoader } from 'cdk-dia';
import { Construct } from 'constructs';
import { examples } from '../lib';

export const DIAGRAM_DIR = join(__dirname, '..', 'docs', 'diagrams');
export const MANIFEST = join(DIAGRAM_DIR, 'diagrams.json');
/** cdk-dia's icons are referenced by absolute path; the committed DOT names them relative to the package. */
const ICONS_BASE = dirname(require.resolve('cdk-dia/package.json'));
const ICONS_PLACEHOLDER = 'cdk-dia';

type StackClass = new (scope: Construct, id: string) => Stack;

/** Each example stack class by its diagram name (`RecruitingAgencyStack` → `recruiting-agency`). */
export function exampleStacks(): Record<string, { className: string; stackClass: StackClass }> {
  const stacks = Object.entries(examples as Record<string, unknown>)
    .filter((entry): entry is [string, StackClass] => typeof entry[1] === 'function' && entry[1].prototype instanceof Stack)
    .map(([className, stackClass]) => [diagramName(className), { className, stackClass }] as const);
  return Object.fromEntries(stacks);
}

function diagramName(className: string): string {
  return className.replace(/Stack$/, '').replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/**
 * The DOT text of one example stack's diagram, as committed (icons relative to cdk-dia). Synth-only: the
 * examples' placeholder URLs are accepted, and nothing here depends on them.
 */
export function diagramDot(stackClass: StackClass, stackId: string): string {
  const outdir = mkdtempSync(join(tmpdir(), 'diagram-'));
  try {
    const app = new App({ outdir, context: { synthOnly: 'true' } });
    new stackClass(app, stackId);
    app.synth();
    const tree = TreeJsonLoader.load(join(outdir, 'tree.json'));
    const diagram = new AwsDiagramGenerator(new AwsEdgeResolver(), new AwsIconSupplier(ICONS_BASE)).generate(tree, true, true, false);
    const dotFile = join(outdir, 'diagram.dot');
    new Graphviz().renderToDot(diagram, dotFile);
    return readFileSync(dotFile, 'utf8').split(ICONS_BASE).join(ICONS_PLACEHOLDER);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The stack id a diagram shows: the sample app's (bin/sample-app.ts), i.e. the class name without `Stack`. */
export function stackIdOf(className: string): string {
  return className.replace(/Stack$/, '');
}

function renderPng(dot: string, pngFile: string): void {
  const work = mkdtempSync(join(tmpdir(), 'diagram-render-'));
  try {
    const dotFile = join(work, 'diagram.dot');
    writeFileSync(dotFile, dot.split(`"${ICONS_PLACEHOLDER}/`).join(`"${ICONS_BASE}/`));
    // 72 dpi keeps each PNG in the low hundreds of KB; labels cdk-dia sizes for larger nodes only warn.
    execFileSync('dot', ['-Tpng', '-Gdpi=72', dotFile, '-o', pngFile], { stdio: ['ignore', 'ignore', 'ignore'] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error('Graphviz `dot` is not installed: apt-get install graphviz (brew install graphviz), then run again');
    }
    throw err;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function main(): void {
  rmSync(DIAGRAM_DIR, { recursive: true, force: true });
  mkdirSync(DIAGRAM_DIR, { recursive: true });
  const manifest: Record<string, { stack: string; dot: string; png: string }> = {};
  for (const [name, { className, stackClass }] of Object.entries(exampleStacks())) {
    const dot = diagramDot(stackClass, stackIdOf(className));
    writeFileSync(join(DIAGRAM_DIR, `${name}.dot`), dot);
    const png = join(DIAGRAM_DIR, `${name}.png`);
    renderPng(dot, png);
    manifest[name] = { stack: className, dot: sha256(dot), png: sha256(readFileSync(png)) };
    console.log(`docs/diagrams/${name}.png (${className})`);
  }
  writeFileSync(MANIFEST, `${JSON.stringify(manifest, null, 2)}\n`);
}

if (require.main === module) main();
