import { IConstruct } from 'constructs';
import { ProblemCollector } from './problem-collector';
import { guardStack } from './stack-checks';

/**
 * Collects a construct's configuration problems so that one synth reports them all (see {@link ProblemCollector}).
 * Every construct that validates its configuration also puts its stack under the stack-wide checks.
 */
export class Problems extends ProblemCollector {
  constructor(scope: IConstruct) {
    super(scope);
    guardStack(scope);
  }
}

/**
 * Runs `checks` with a fresh collector and throws one error listing everything they recorded. For a check with
 * nothing else to collect with.
 */
export function validate(scope: IConstruct, checks: (problems: Problems) => void): void {
  const problems = new Problems(scope);
  checks(problems);
  problems.throwIfAny();
}

export { warn, warnAtSynth } from './warnings';
