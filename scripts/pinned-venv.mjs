// A Python virtualenv holding exactly the packages a requirements file pins, under node_modules/.cache/<name>/ (git,
// npm pack and every tool here leave node_modules alone). Created with pip when missing; a changed requirements file
// gets a new folder (named after its hash), so a bump never runs half-upgraded. The install happens in a private
// folder renamed into place when complete: two processes starting at once (parallel jest workers) never see a
// partial install, and the loser of the rename discards its copy.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;

/** The python of the pinned virtualenv `name`, installing it first when it is missing. */
export function ensurePinnedVenv(name, requirementsFile) {
  const cacheDir = join(root, 'node_modules', '.cache', name);
  const requirements = readFileSync(requirementsFile, 'utf8');
  const hash = createHash('sha256').update(requirements).digest('hex').slice(0, 16);
  const venv = join(cacheDir, hash);
  const venvPython = join(venv, 'bin', 'python');
  if (existsSync(venvPython)) return venvPython;

  mkdirSync(cacheDir, { recursive: true });
  const partial = join(cacheDir, `${hash}.partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  process.stderr.write(`${name}: installing the packages pinned in ${requirementsFile} into ${venv}\n`);
  runQuietly(process.env.PYTHON ?? 'python3', ['-m', 'venv', partial]);
  const pip = [join(partial, 'bin', 'python'), '-m', 'pip', '--disable-pip-version-check', '--no-input'];
  // --no-deps installs exactly the pinned set; `pip check` fails if that set no longer satisfies its own requirements.
  runQuietly(pip[0], [...pip.slice(1), 'install', '--quiet', '--no-deps', '-r', requirementsFile]);
  runQuietly(pip[0], [...pip.slice(1), 'check']);
  try {
    renameSync(partial, venv);
  } catch (error) {
    if (!existsSync(venvPython)) throw error;
    rmSync(partial, { recursive: true, force: true }); // another process finished first
  }
  // Virtualenvs of earlier pins (not partial installs, which may belong to a running process).
  for (const entry of readdirSync(cacheDir)) {
    if (entry !== hash && /^[0-9a-f]{16}$/.test(entry)) rmSync(join(cacheDir, entry), { recursive: true, force: true });
  }
  return venvPython;
}

/** Runs a command with its output on stderr (stdout belongs to the caller's result), failing on a non-zero exit. */
export function runQuietly(command, args) {
  const result = spawnSync(command, args, { stdio: ['ignore', 2, 2] });
  if (result.error) throw new Error(`could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`\`${command} ${args.join(' ')}\` exited with ${result.status}`);
}

/**
 * Moves a directory built at `partial` to `target` in one rename, so a reader never sees it half written; when another
 * process published `target` first, its copy is kept and `partial` removed.
 */
export function publishDirectory(partial, target) {
  try {
    renameSync(partial, target);
  } catch (error) {
    if (!existsSync(target)) throw error;
    rmSync(partial, { recursive: true, force: true });
  }
}
