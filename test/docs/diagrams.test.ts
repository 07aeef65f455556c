/**
 * docs/diagrams is fresh: one diagram per example stack, its DOT text exactly what cdk-dia draws from the stack
 * today, its PNG the one rendered from that DOT (by the hash `npm run diagrams` recorded), and each shown in the
 * README. A new example stack fails here until its diagram is generated and shown. Fix: `npm run diagrams`
 * (rendering needs Graphviz: apt-get install graphviz), then review and commit docs/diagrams.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DIAGRAM_DIR, diagramDot, exampleStacks, MANIFEST, sha256, stackIdOf } from '../../scripts/diagrams';
import { readme } from '../support/readme';

const STACKS = exampleStacks();
const manifest = (existsSync(MANIFEST) ? JSON.parse(readFileSync(MANIFEST, 'utf8')) : {}) as Record<string, { stack: string; dot: string; png: string }>;
const committed = (file: string) => join(DIAGRAM_DIR, file);

test('there is one diagram per example stack, and no other (run npm run diagrams)', () => {
  const dots = existsSync(DIAGRAM_DIR) ? readdirSync(DIAGRAM_DIR).filter((f) => f.endsWith('.dot')).map((f) => f.replace(/\.dot$/, '')) : [];
  expect(dots.sort()).toEqual(Object.keys(STACKS).sort());
  expect(Object.keys(manifest).sort()).toEqual(Object.keys(STACKS).sort());
});

describe.each(Object.entries(STACKS))('%s', (name, { className, stackClass }) => {
  test(`docs/diagrams/${name}.dot is what cdk-dia draws from ${className} today (else: npm run diagrams)`, () => {
    expect(readFileSync(committed(`${name}.dot`), 'utf8')).toEqual(diagramDot(stackClass, stackIdOf(className)));
  });

  test(`docs/diagrams/${name}.png was rendered from that DOT (else: npm run diagrams)`, () => {
    expect({ stack: manifest[name]?.stack, dot: manifest[name]?.dot, png: manifest[name]?.png }).toEqual({
      stack: className,
      dot: sha256(readFileSync(committed(`${name}.dot`), 'utf8')),
      png: sha256(readFileSync(committed(`${name}.png`))),
    });
  });

  test(`the README shows docs/diagrams/${name}.png`, () => {
    expect(readme()).toContain(`(docs/diagrams/${name}.png)`);
  });
});
