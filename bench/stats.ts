/** Small statistics helpers shared by every benchmark section. */

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Runs `fn` `runs` times (after `warmup` discarded runs) and returns each run's wall time in milliseconds. */
export async function timeRuns(runs: number, fn: () => unknown | Promise<unknown>, warmup = 1): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    await fn();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times;
}

export function fmt(value: number, digits = 1): string {
  return value.toFixed(digits);
}

/** A markdown table from a header row and data rows. */
export function table(header: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** One section of bench/RESULTS.md. */
export interface BenchSection {
  readonly title: string;
  /** How the numbers were produced, for a reader who wants to reproduce them. */
  readonly method: string;
  readonly body: string;
  /** The section's headline figures, gathered into the summary table at the top of RESULTS.md: [figure, value]. */
  readonly summary?: Array<[string, string]>;
}

/** Measured runs per benchmark (env `BENCH_RUNS`, default 9): at least 5, so medians mean something. */
export function runCount(): number {
  const raw = process.env.BENCH_RUNS;
  const runs = raw === undefined ? 9 : Number(raw);
  if (!Number.isInteger(runs) || runs < 5) {
    throw new Error(`BENCH_RUNS must be a whole number of at least 5 (medians need enough samples), got ${raw}`);
  }
  return runs;
}
