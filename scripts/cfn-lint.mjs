// Runs cfn-lint at exactly the versions pinned in scripts/cfn-lint.requirements.txt, from a virtualenv under
// node_modules/.cache/cfn-lint/ that is created with pip when missing and rebuilt when the pins change (see
// pinned-venv.mjs). A cfn-lint that happens to be installed on the machine is never used: its rules and schemas would
// decide what passes.
//
//   node scripts/cfn-lint.mjs --install      only make sure the pinned virtualenv exists (for a prepare step)
//   node scripts/cfn-lint.mjs [cfn-lint arguments...]
//
// cfn-lint is started as `python -c ...` rather than through its console script, whose first line names the folder
// it was installed in (before the virtualenv was renamed into place).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ensurePinnedVenv } from './pinned-venv.mjs';

const requirementsFile = join(new URL('.', import.meta.url).pathname, 'cfn-lint.requirements.txt');
const RUN_CFN_LINT = "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())";

const args = process.argv.slice(2);
let venvPython;
try {
  venvPython = ensurePinnedVenv('cfn-lint', requirementsFile);
} catch (error) {
  process.stderr.write(`cfn-lint: ${error.message}\n`);
  process.exit(2);
}
if (args.length === 1 && args[0] === '--install') process.exit(0);
const lint = spawnSync(venvPython, ['-c', RUN_CFN_LINT, ...args], { stdio: 'inherit' });
process.exit(lint.status ?? 1);
