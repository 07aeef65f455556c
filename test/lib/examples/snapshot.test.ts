import { Template } from 'aws-cdk-lib/assertions';
import { EXAMPLE_STACKS } from '../../support/examples';

// Snapshots catch unintended template drift (including handler code, through asset hashes). They are never
// updated in CI (`jest --ci`); refresh them by hand with `npx jest test/examples -u` after reviewing the diff.
test.each(Object.keys(EXAMPLE_STACKS))('%s example stack matches its snapshot', (name) => {
  expect(Template.fromStack(EXAMPLE_STACKS[name]()).toJSON()).toMatchSnapshot();
});
