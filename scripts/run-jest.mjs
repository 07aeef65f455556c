// Runs the pre-test steps, then jest in CI mode (a missing or drifted snapshot fails; nothing is ever written back),
// and closes with one plain summary line, "jest: N passed, N failed, N skipped", so any log reader can tell how many tests ran.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The build and check steps (test:prepare) run first; if one fails, jest does not run, and the last line says so.
// `--no-prepare` skips them (for a quick re-run of jest alone).
const argv = process.argv.slice(2);
const skipPrepare = argv.includes('--no-prepare');
if (!skipPrepare) {
  const prepare = spawnSync('npx', ['projen', 'test:prepare'], { stdio: 'inherit' });
  if (prepare.status !== 0) {
    console.log('jest: 0 passed, 0 failed, 0 skipped (not run: a build or check step failed, see above)');
    process.exit(prepare.status ?? 1);
  }
}

const out = join(mkdtempSync(join(tmpdir(), 'jest-')), 'results.json');
// --forceExit: SDK keep-alive sockets to the local DynamoDB/HTTP stand-ins can outlive a test file by seconds;
// the run must end when the tests do, not when the last idle socket times out.
const args = ['jest', '--ci', '--forceExit', '--json', `--outputFile=${out}`, ...argv.filter((a) => a !== '--no-prepare')];
const run = spawnSync('npx', args, { stdio: 'inherit' });
let summary = 'jest: 0 passed, 0 failed';
try {
  const r = JSON.parse(readFileSync(out, 'utf8'));
  const failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  summary = `jest: ${r.numPassedTests} passed, ${failed} failed, ${r.numPendingTests} skipped`;
} catch {
  summary = 'jest: 0 passed, 1 failed';
}
console.log(summary);
process.exit(run.status ?? 1);
