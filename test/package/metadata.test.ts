/**
 * What npm and Construct Hub read from package.json: a real pre-1.0 version (the changelog's), the keywords Construct
 * Hub lists CDK libraries by, a description, the repository and a homepage.
 */
import { readFileSync } from 'fs';
import { join } from 'path';

const root = join(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

test('a real 0.x version, the one the changelog describes', () => {
  expect(pkg.version).toMatch(/^0\.\d+\.\d+$/);
  expect(pkg.version).not.toBe('0.0.0');
  expect(readFileSync(join(root, 'CHANGELOG.md'), 'utf8')).toContain(`(${pkg.version})`);
});

test('keywords and metadata Construct Hub reads', () => {
  expect(pkg.keywords).toEqual(expect.arrayContaining(['awscdk', 'cdk', 'constructs']));
  expect(pkg.description.length).toBeGreaterThan(40);
  expect(pkg.repository.url).toMatch(/^https:\/\/github\.com\/.+\.git$/);
  expect(pkg.homepage).toMatch(/^https:\/\//);
  expect(pkg.license).toBe('Apache-2.0');
  expect(Object.keys(pkg.jsii.targets)).toEqual(expect.arrayContaining(['python', 'java', 'go']));
});

test('the compat task runs the check against the previous release, not jsii-diff against npm latest unconditionally', () => {
  const tasks = JSON.parse(readFileSync(join(root, '.projen', 'tasks.json'), 'utf8')).tasks;
  expect(tasks.compat.steps).toEqual([{ exec: 'node scripts/compat.mjs' }]);
  expect(tasks['test:prepare'].steps).toContainEqual({ spawn: 'compat' });
});
