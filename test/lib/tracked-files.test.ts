/**
 * Nothing the repository ignores may stay tracked: a file committed before its .gitignore rule (integ snapshot assets,
 * handler bundles, build output) keeps being shipped in every clone and silently drifts from what the build makes.
 */
import { execFileSync } from 'child_process';
import { join } from 'path';

const root = join(__dirname, '..', '..');
const git = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });

test('git tracks no file that .gitignore ignores', () => {
  expect(git('rev-parse', '--is-inside-work-tree').trim()).toBe('true');
  // -c: in the index; -i --exclude-standard: matched by .gitignore, .git/info/exclude or the global excludes file.
  const trackedButIgnored = git('ls-files', '--cached', '--ignored', '--exclude-standard').split('\n').filter(Boolean);
  expect(trackedButIgnored).toEqual([]);
});
