/** One thing wrong with a construct's configuration, as reported by a {@link PatternValidationError}. */
export interface ValidationProblem {
  /**
   * Stable identifier of the problem class, e.g. `SecureQueue.MaxReceiveCount`. It does not change when the wording
   * of the message does, so tests and tooling can match on it.
   */
  readonly id: string;
  /** Path of the construct that reported it. */
  readonly path: string;
  /** What is wrong, naming the offending value. */
  readonly problem: string;
  /** How to fix it. */
  readonly fix: string;
}

/**
 * Thrown at synth time when a construct is given configuration AWS would reject at deploy time (or that would lose
 * messages silently). It lists every problem the construct found, each with its id, the construct path, the bad
 * value and the fix, so one synth shows them all.
 *
 * jsii cannot model subclasses of `Error`, so Python, Java, .NET and Go code recognises this error with
 * {@link PatternErrors.isPatternValidationError} and reads its problems with {@link PatternErrors.problemsOf}.
 */
export class PatternValidationError extends Error {
  /** Every problem found, in the order they were found. */
  public readonly problems: ValidationProblem[];

  constructor(problems: ValidationProblem[]) {
    super(formatProblems(problems));
    this.name = 'PatternValidationError';
    this.problems = problems;
  }
}

/** Recognises the errors this library throws, from any jsii language. */
export class PatternErrors {
  /** Whether `x` is a {@link PatternValidationError} thrown by one of this library's constructs. */
  public static isPatternValidationError(x: any): x is PatternValidationError {
    return x instanceof Error && x.name === 'PatternValidationError' && Array.isArray((x as PatternValidationError).problems);
  }

  /** The problems a {@link PatternValidationError} lists; empty for any other value. */
  public static problemsOf(x: any): ValidationProblem[] {
    return PatternErrors.isPatternValidationError(x) ? [...x.problems] : [];
  }

  private constructor() {}
}

function formatProblems(problems: ValidationProblem[]): string {
  const line = (p: ValidationProblem) => `[${p.path}] ${p.problem}. Fix: ${p.fix}. (${p.id})`;
  if (problems.length === 1) return line(problems[0]);
  return `${problems.length} configuration problems:\n${problems.map((p) => `  - ${line(p)}`).join('\n')}`;
}
