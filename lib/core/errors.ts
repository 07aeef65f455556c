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
 * jsii cannot model subclasses of `Error`: Python, Java, .NET and Go receive it as their own exception type carrying
 * only the message, and read its problems with {@link PatternErrors.problemsInMessage}.
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
  /**
   * The problems listed in the message of a {@link PatternValidationError}; empty for any other message.
   *
   * This is how Python, Java, .NET and Go code reads them. jsii hands them an error thrown by a construct as their
   * own exception type (`RuntimeError` in Python, `JsiiError` in Java, a panic in Go) with only the message, and
   * such an exception cannot be passed back to {@link PatternErrors.problemsOf}. Text around the listed problems
   * is ignored, and a problem repeated in it is listed once (Java's message ends with the JavaScript stack, which
   * starts with the message again).
   */
  public static problemsInMessage(message: string): ValidationProblem[] {
    // Repeats are recognised by the problem read from a line, not by the line: the stack Java appends starts with
    // `PatternValidationError: ` and the message, so its first line differs from the message's own first line.
    const seen = new Set<string>();
    return message.split('\n').flatMap((line) => {
      const match = PROBLEM_LINE.exec(line);
      if (!match) return [];
      const problem = { path: match[1], problem: match[2], fix: match[3], id: match[4] };
      const key = JSON.stringify(problem);
      if (seen.has(key)) return [];
      seen.add(key);
      return [problem];
    });
  }

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

// One problem as formatProblems writes it: `[path] problem. Fix: fix. (Id.Name)`, alone or as a `  - ` list item.
// The id is matched from the end of the line, the path up to the first `] `.
const PROBLEM_LINE = /^(?:.*?: )?(?: {2}- )?\[(.+?)\] (.+?)\. Fix: (.+)\. \(([A-Za-z0-9]+(?:\.[A-Za-z0-9]+)+)\)$/;

/**
 * Problems name properties as the TypeScript API spells them. jsii renames them in other languages, so the message
 * says how to read them there.
 */
export const PROPERTY_NAMES_NOTE =
  'Property names are as spelled in TypeScript (camelCase, e.g. maxBatchingWindow); Python uses snake_case ' +
  '(max_batching_window), Java the builder method of the same name, .NET and Go PascalCase (MaxBatchingWindow).';

function formatProblems(problems: ValidationProblem[]): string {
  const line = (p: ValidationProblem) => `[${p.path}] ${oneLine(p.problem)}. Fix: ${oneLine(p.fix)}. (${p.id})`;
  const listed = problems.length === 1
    ? line(problems[0])
    : `${problems.length} configuration problems:\n${problems.map((p) => `  - ${line(p)}`).join('\n')}`;
  return `${listed}\n${PROPERTY_NAMES_NOTE}`;
}

/** Keeps each problem on one line of the message, so {@link PatternErrors.problemsInMessage} can read it back. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}
