import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { guardStack } from './stack-checks';
import { PatternValidationError, ValidationProblem } from '../errors';

/**
 * Collects a construct's configuration problems so that one synth reports them all: checks record what is wrong and
 * {@link Problems.throwIfAny} throws one {@link PatternValidationError} listing every problem.
 */
export class Problems {
  private readonly found: ValidationProblem[] = [];

  constructor(private readonly scope: IConstruct) {
    // Every construct that validates its configuration also puts its stack under the stack-wide checks.
    guardStack(scope);
  }

  /** Records a problem unless `condition` holds; returns `condition` so callers can skip dependent checks. */
  public check(condition: boolean, id: string, problem: string, fix: string): boolean {
    if (!condition) this.add(id, problem, fix);
    return condition;
  }

  /** Records a problem. */
  public add(id: string, problem: string, fix: string): void {
    this.found.push({ id, path: this.scope.node.path, problem, fix });
  }

  /** Whether anything was recorded. */
  public get any(): boolean {
    return this.found.length > 0;
  }

  /** One error listing every problem recorded so far, if there is one. */
  public toError(): PatternValidationError | undefined {
    return this.found.length > 0 ? new PatternValidationError([...this.found]) : undefined;
  }

  /** Throws one error listing every problem recorded so far, if there is one. */
  public throwIfAny(): void {
    const error = this.toError();
    if (error) throw error;
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

/**
 * Records a recoverable smell as an acknowledgeable CDK warning (shown by `cdk synth`, fatal under `--strict`).
 * Ids are prefixed so users can acknowledge them with `Annotations.of(scope).acknowledgeWarning(id, reason)`.
 */
export function warn(scope: IConstruct, id: string, message: string): void {
  Annotations.of(scope).addWarningV2(`cdk-serverless-patterns:${id}`, message);
}

/**
 * {@link warn} for a warning added while the app is synthesized (in a validation). aws-cdk-lib 2.257 matches an
 * acknowledgement made before the warning against the construct's ancestors only, so a warning added at synth on the
 * acknowledged construct itself would stay; it is put on the construct's L1 resource instead, where an acknowledgement
 * on the construct (its parent) applies.
 */
export function warnAtSynth(construct: IConstruct, id: string, message: string): void {
  warn(construct.node.defaultChild ?? construct, id, message);
}
