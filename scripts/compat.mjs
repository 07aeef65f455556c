// API compatibility check (jsii-diff) of the assembly built here against the previous release on npm: the newest
// published version below package.json's. While the package has no release, it says so and passes: there is no
// previous API to compare with. Intended breaks (allowed in a 0.x minor, listed in CHANGELOG.md) are acknowledged
// key by key in .compatignore.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

/** Numeric comparison of two x.y.z versions. */
function compare(a, b) {
  const [pa, pb] = [a, b].map((v) => v.split('.').map(Number));
  for (let i = 0; i < 3; i++) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

const view = spawnSync('npm', ['view', pkg.name, 'versions', '--json'], { encoding: 'utf8' });
const answer = `${view.stdout}\n${view.stderr}`;
if (view.status !== 0) {
  if (/E404|404 Not Found/.test(answer)) {
    console.log(`compat: skipped: ${pkg.name} has no release on npm yet, so there is no previous API to compare with. ` +
      'The check runs from the first release on.');
    process.exit(0);
  }
  console.error(`compat: could not list the releases of ${pkg.name} (npm view exited ${view.status}):\n${answer}`);
  process.exit(1);
}
const previous = [JSON.parse(view.stdout)].flat()
  .filter((v) => /^\d+\.\d+\.\d+$/.test(v) && compare(v, pkg.version) < 0)
  .sort(compare)
  .pop();
if (!previous) {
  console.log(`compat: skipped: no release of ${pkg.name} precedes ${pkg.version}, so there is no previous API to compare with.`);
  process.exit(0);
}
console.log(`compat: comparing the assembly built here (${pkg.version}) with ${pkg.name}@${previous}`);
const args = [`npm:${pkg.name}@${previous}`, '.', ...(existsSync('.compatignore') ? ['--ignore-file', '.compatignore'] : [])];
const diff = spawnSync('jsii-diff', args, { stdio: 'inherit' });
process.exit(diff.status ?? 1);
