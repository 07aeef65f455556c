/**
 * The package as npm installs it into a user's app: `npm pack` of this tree (scripts skipped: the tests run on a
 * built tree), unpacked into the app's node_modules, next to the packages the user would install, linked from this
 * project's node_modules rather than downloaded. A linked package resolves its own dependencies from here, as npm
 * would install them beside it; the package under test resolves only what the app has.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const PACKAGE_NAME = 'cdk-serverless-patterns';
export const ROOT = join(__dirname, '..', '..');

/** Packs the tree and unpacks the tarball into a new scratch directory; returns that directory and the package's. */
export function packAndUnpack(prefix: string): { work: string; unpacked: string } {
  const work = mkdtempSync(join(tmpdir(), prefix));
  const out = execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
  const tarball = out.trim().split('\n').pop()!;
  const unpacked = join(work, 'package');
  mkdirSync(unpacked);
  execFileSync('tar', ['-xzf', join(work, tarball), '-C', unpacked, '--strip-components=1']);
  return { work, unpacked };
}

/**
 * A user's app at `appDir`: a package.json (CommonJS unless `type` says otherwise), the unpacked package copied into
 * its node_modules (a copy, not a link: its imports must resolve from the app), and `linked` packages from this project.
 */
export function installApp(appDir: string, unpacked: string, linked: readonly string[], type: 'commonjs' | 'module' = 'commonjs'): void {
  mkdirSync(join(appDir, 'node_modules'), { recursive: true });
  writeFileSync(join(appDir, 'package.json'), JSON.stringify({ name: 'consumer-app', private: true, type }));
  cpSync(unpacked, join(appDir, 'node_modules', PACKAGE_NAME), { recursive: true });
  for (const name of linked) {
    const link = join(appDir, 'node_modules', name);
    mkdirSync(dirname(link), { recursive: true });
    symlinkSync(join(ROOT, 'node_modules', name), link, 'dir');
  }
}

/** The peer dependencies the README's install line adds next to the library (aws-cdk-lib, constructs, cdk-nag). */
export function peerDependencies(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { peerDependencies: Record<string, string> };
  return Object.keys(pkg.peerDependencies).sort();
}

/** The runtime helpers' entry points: file under runtime/ (scripts/runtime-entries.json) and the import users write. */
export function runtimeEntryPoints(): Array<{ file: string; specifier: string }> {
  const entries = Object.keys(JSON.parse(readFileSync(join(ROOT, 'scripts', 'runtime-entries.json'), 'utf8')) as object);
  return entries.map((file) => ({ file, specifier: `${PACKAGE_NAME}/runtime/${file}`.replace(/\/index$/, '') }));
}
