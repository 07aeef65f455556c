// Runs the construct and cdk-nag tests against the newest aws-cdk-lib, next to the 2.257 floor the project develops
// against. The newest release is looked up on the registry when CI runs (`npm view aws-cdk-lib version`), so the stage
// tests what `cdk init` gives users that day; `FALLBACK` is used only when the registry cannot be asked. The release is
// installed beside the project (node_modules/.cache/newest-cdk) and jest maps `aws-cdk-lib`, `constructs` and
// `cdk-nag` to it, for our code and for cdk-nag alike.
//
// The suites run under a clock set after every date in the library's tables (TEST_CLOCK, test/support/clock.ts):
// nothing may depend on the day a synth runs.
//
// Snapshot tests run too, but report only: a newer aws-cdk-lib renders some resources differently, and a snapshot is
// refreshed for the floor, never rewritten for another version. Their differences are summarized at the end.
//
// Then a `cdk init`-shaped TypeScript 7 app (scripts/newest-cdk-app) uses the packed library on the same release.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInitApp } from './newest-cdk-app/run.mjs';

/** Used only when the registry cannot be asked which release is newest. */
export const FALLBACK = { 'aws-cdk-lib': '2.278.0', 'constructs': '10.8.1', 'cdk-nag': '3.0.2' };

/** The newest release of each package on the registry, or the fallback pin (with a note saying so). */
function newestReleases() {
  const resolved = {};
  for (const [name, pinned] of Object.entries(FALLBACK)) {
    const view = spawnSync('npm', ['view', name, 'version'], { encoding: 'utf8' });
    const version = view.status === 0 ? view.stdout.trim() : '';
    if (/^\d+\.\d+\.\d+$/.test(version)) {
      resolved[name] = version;
    } else {
      console.log(`${name}: the registry did not answer (exit ${view.status}); using the fallback ${pinned}`);
      resolved[name] = pinned;
    }
  }
  return resolved;
}

/** The day after the latest date in the library's lifecycle table (lib/core/private/limits.ts). */
export function clockAfterEveryTableDate(root) {
  const limits = readFileSync(join(root, 'lib', 'core', 'private', 'limits.ts'), 'utf8');
  const dates = [...limits.matchAll(/'(\d{4}-\d{2}-\d{2})'/g)].map((m) => m[1]).sort();
  const latest = new Date(`${dates[dates.length - 1]}T00:00:00Z`);
  return new Date(latest.getTime() + 86_400_000).toISOString().slice(0, 10);
}

export const NEWEST = newestReleases();
console.log(`newest releases: ${Object.entries(NEWEST).map(([n, v]) => `${n} ${v}`).join(', ')}`);

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'node_modules', '.cache', 'newest-cdk');
const modules = join(dir, 'node_modules');

function installedVersion(name) {
  const manifest = join(modules, name, 'package.json');
  return existsSync(manifest) ? JSON.parse(readFileSync(manifest, 'utf8')).version : undefined;
}

if (Object.entries(NEWEST).some(([name, version]) => installedVersion(name) !== version)) {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'newest-cdk', private: true, dependencies: NEWEST }, null, 2));
  const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--no-package-lock', '--ignore-scripts'], { cwd: dir, stdio: 'inherit' });
  if (install.status !== 0) process.exit(install.status ?? 1);
}

const mapped = Object.fromEntries(Object.keys(NEWEST).map((name) => [`^${name.replace('-', '\\-')}(/.*)?$`, `${join(modules, name)}$1`]));
const transform = { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] };
const config = {
  rootDir: root,
  testTimeout: 60_000,
  testMatch: ['<rootDir>/test/lib/**/*.test.ts', '<rootDir>/test/compat/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '\\.dynamodb\\.test\\.ts$', '/test/lib/examples/snapshot\\.test\\.ts$'],
  moduleNameMapper: mapped,
  moduleFileExtensions: ['ts', 'js', 'mjs', 'cjs', 'json', 'node'],
  setupFiles: ['<rootDir>/test/support/clock.ts'],
  transform,
};
const configFile = join(dir, 'jest.config.json');
writeFileSync(configFile, JSON.stringify(config, null, 2));
const clock = clockAfterEveryTableDate(root);
console.log(`construct suites under TEST_CLOCK=${clock} (the day after the latest date in the lifecycle table)`);
const env = { ...process.env, AWS_REGION: 'us-east-1', NEWEST_CDK_VERSION: NEWEST['aws-cdk-lib'], TEST_CLOCK: clock };
const run = spawnSync('npx', ['jest', '--ci', '--config', configFile], { cwd: root, stdio: 'inherit', env });

// Snapshots: report differences against the floor's snapshots, never fail on them and never write them.
const snapshotConfig = join(dir, 'jest.snapshots.config.json');
writeFileSync(snapshotConfig, JSON.stringify({ ...config, testMatch: ['<rootDir>/test/lib/examples/snapshot.test.ts'], testPathIgnorePatterns: ['/node_modules/'] }, null, 2));
const snapshots = spawnSync('npx', ['jest', '--ci', '--config', snapshotConfig, '--silent'], { cwd: root, encoding: 'utf8', env });
const differing = [...(snapshots.stderr ?? '').matchAll(/✕ (.+?) \(\d+ ms\)/g)].map((m) => m[1]);
console.log(
  `aws-cdk-lib ${NEWEST['aws-cdk-lib']}: example snapshots ${differing.length === 0 ? 'identical to the floor\'s' : `differ for: ${differing.join('; ')} (reported, not rewritten)`}`,
);
const app = runInitApp(root, NEWEST);
process.exit(run.status !== 0 ? (run.status ?? 1) : app);
