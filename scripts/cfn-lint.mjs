// Runs cfn-lint at exactly the versions pinned in scripts/cfn-lint.requirements.txt, from a virtualenv under
// node_modules/.cache/cfn-lint/ that it creates with pip when missing and rebuilds when the pins change. A cfn-lint
// that happens to be installed on the machine is never used: its rules and schemas would decide what passes.
// node_modules/.cache because git, npm pack and every tool here already leave node_modules alone (a venv is ~180 MB).
//
//   node scripts/cfn-lint.mjs --install      only make sure the pinned virtualenv exists (for a prepare step)
//   node scripts/cfn-lint.mjs [cfn-lint arguments...]
//
// The virtualenv's folder is named after a hash of the requirements file, so a bump installs beside the old one
// and never runs half-upgraded. Installs go to a private folder that is renamed into place when complete, so two
// processes starting at once (parallel test workers, a prepare step and a test) cannot see a partial install; the
// loser of the rename discards its copy. cfn-lint is started as `python -c ...` rather than through its console
// script, whose first line names the folder it was installed in (before the rename).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const requirementsFile = join(root, 'scripts', 'cfn-lint.requirements.txt');
const venvsDir = join(root, 'node_modules', '.cache', 'cfn-lint');
const python = process.env.PYTHON ?? 'python3';
const RUN_CFN_LINT = "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())";

/** The pinned virtualenv's python, installing the virtualenv first when it is missing. */
function ensureCfnLint() {
  const requirements = readFileSync(requirementsFile, 'utf8');
  const name = createHash('sha256').update(requirements).digest('hex').slice(0, 16);
  const venv = join(venvsDir, name);
  const venvPython = join(venv, 'bin', 'python');
  if (existsSync(venvPython)) return venvPython;

  mkdirSync(venvsDir, { recursive: true });
  const partial = join(venvsDir, `${name}.partial-${process.pid}`);
  rmSync(partial, { recursive: true, force: true });
  const pins = readPins(requirements);
  process.stderr.write(`cfn-lint: installing ${pins.get('cfn-lint') ?? '(unpinned!)'} into ${venv}\n`);
  run(python, ['-m', 'venv', partial]);
  run(join(partial, 'bin', 'python'), [
    '-m', 'pip', 'install', '--disable-pip-version-check', '--no-input', '--quiet', '--no-deps', '-r', requirementsFile,
  ]);
  // --no-deps installs exactly the pinned set; `pip check` fails if that set no longer satisfies its own requirements.
  run(join(partial, 'bin', 'python'), ['-m', 'pip', 'check', '--disable-pip-version-check']);
  try {
    renameSync(partial, venv);
  } catch (error) {
    if (!existsSync(venvPython)) throw error;
    rmSync(partial, { recursive: true, force: true }); // another process finished first
  }
  removeOtherVersions(name);
  return venvPython;
}

function readPins(requirements) {
  const pins = new Map();
  for (const line of requirements.split('\n')) {
    const match = /^\s*([A-Za-z0-9_.-]+)==(\S+)/.exec(line);
    if (match) pins.set(match[1].toLowerCase(), `${match[1]} ${match[2]}`);
  }
  return pins;
}

/** Virtualenvs of earlier pins (not partial installs, which may belong to a running process). */
function removeOtherVersions(current) {
  for (const entry of readdirSync(venvsDir)) {
    if (entry !== current && /^[0-9a-f]{16}$/.test(entry)) rmSync(join(venvsDir, entry), { recursive: true, force: true });
  }
}

function run(command, args) {
  // Everything the install prints goes to stderr: stdout is cfn-lint's alone (the tests parse its JSON).
  const result = spawnSync(command, args, { stdio: ['ignore', 2, 2] });
  if (result.error) throw new Error(`cfn-lint: could not run ${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`cfn-lint: \`${command} ${args.join(' ')}\` exited with ${result.status}`);
}

const args = process.argv.slice(2);
let venvPython;
try {
  venvPython = ensureCfnLint();
} catch (error) {
  process.stderr.write(`${error.message}\n`);
  process.exit(2);
}
if (args.length === 1 && args[0] === '--install') process.exit(0);
const lint = spawnSync(venvPython, ['-c', RUN_CFN_LINT, ...args], { stdio: 'inherit' });
process.exit(lint.status ?? 1);
