// Runs the construct and cdk-nag tests against the newest aws-cdk-lib (pinned below, bumped deliberately so a new
// upstream release cannot break CI overnight), next to the 2.257 floor the project develops against. The newest
// release is installed beside the project (node_modules/.cache/newest-cdk) and jest maps `aws-cdk-lib`, `constructs`
// and `cdk-nag` to it, for our code and for cdk-nag alike.
//
// Snapshot tests run too, but report only: a newer aws-cdk-lib renders some resources differently, and a snapshot is
// refreshed for the floor, never rewritten for another version. Their differences are summarized at the end.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const NEWEST = { 'aws-cdk-lib': '2.276.0', 'constructs': '10.8.1', 'cdk-nag': '3.0.2' };

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
  transform,
};
const configFile = join(dir, 'jest.config.json');
writeFileSync(configFile, JSON.stringify(config, null, 2));
const env = { ...process.env, AWS_REGION: 'us-east-1', NEWEST_CDK_VERSION: NEWEST['aws-cdk-lib'] };
const run = spawnSync('npx', ['jest', '--ci', '--config', configFile], { cwd: root, stdio: 'inherit', env });

// Snapshots: report differences against the floor's snapshots, never fail on them and never write them.
const snapshotConfig = join(dir, 'jest.snapshots.config.json');
writeFileSync(snapshotConfig, JSON.stringify({ ...config, testMatch: ['<rootDir>/test/lib/examples/snapshot.test.ts'], testPathIgnorePatterns: ['/node_modules/'] }, null, 2));
const snapshots = spawnSync('npx', ['jest', '--ci', '--config', snapshotConfig, '--silent'], { cwd: root, encoding: 'utf8', env });
const differing = [...(snapshots.stderr ?? '').matchAll(/✕ (.+?) \(\d+ ms\)/g)].map((m) => m[1]);
console.log(
  `aws-cdk-lib ${NEWEST['aws-cdk-lib']}: example snapshots ${differing.length === 0 ? 'identical to the floor\'s' : `differ for: ${differing.join('; ')} (reported, not rewritten)`}`,
);
process.exit(run.status ?? 1);
