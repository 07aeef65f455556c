/**
 * The time a guarded call may spend on store requests, before the guarded function runs and again after it. It is
 * measured on the real clock (Lambda ends an invocation on the real clock, whatever clock the breaker was given).
 * Work cut off by the budget is not cancelled: it finishes in the background, where a late result harms nothing
 * (reads are stamped, counting writes are absolute, transitions carry their token).
 */
import { performance } from 'node:perf_hooks';

/** The call's store budget ran out before the work finished. */
export class StoreBudgetExceededError extends Error {
  constructor(public readonly operation: string, public readonly budgetMs: number) {
    super(`circuit store did not answer within the call's ${budgetMs} ms store budget (${operation})`);
    this.name = 'StoreBudgetExceededError';
  }
}

/** A deadline shared by the store requests of one phase of a call. */
export class StoreBudget {
  private readonly endsAt: number;

  constructor(public readonly budgetMs: number) {
    this.endsAt = performance.now() + budgetMs;
  }

  /** Runs `work`, rejecting with {@link StoreBudgetExceededError} once the budget is spent. */
  public async run<T>(operation: string, work: () => Promise<T>): Promise<T> {
    const left = this.endsAt - performance.now();
    if (left <= 0) throw new StoreBudgetExceededError(operation, this.budgetMs);
    const running = work();
    running.catch(() => undefined); // the loser of the race may reject later
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new StoreBudgetExceededError(operation, this.budgetMs)), left);
    });
    try {
      return await Promise.race([running, deadline]);
    } finally {
      clearTimeout(timer);
    }
  }
}
