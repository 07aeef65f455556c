import { IConstruct } from 'constructs';
import { PatternValidationError, ValidationProblem } from '../errors';

/**
 * Collects a construct's configuration problems so that one synth reports them all: checks record what is wrong and
 * {@link ProblemCollector.throwIfAny} throws one {@link PatternValidationError} listing every problem.
 */
export class ProblemCollector {
  private readonly found: ValidationProblem[] = [];

  constructor(private readonly scope: IConstruct) {}

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
