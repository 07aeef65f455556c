/**
 * Runs the guarded function with a deadline. The function gets an AbortSignal so it can cancel its own I/O; the
 * breaker cannot stop a function that ignores it, but it stops waiting for it.
 */
import { CallTimeoutError } from './errors';

/** What the guarded function is told about the call. */
export interface GuardedCallContext {
  /** The circuit guarding this call. */
  readonly circuitId: string;
  /** True when this call is the fleet's single half-open probe: a good place to use a cheap request. */
  readonly probe: boolean;
  /** Aborted (with a `CallTimeoutError` as reason) when the call timeout elapses. */
  readonly signal: AbortSignal;
}

/** A function a breaker guards. */
export type GuardedFunction<T> = (context: GuardedCallContext) => Promise<T> | T;

/** Runs `fn`, rejecting with {@link CallTimeoutError} after `timeoutMs` (no deadline when 0 or less). */
export async function runWithDeadline<T>(fn: GuardedFunction<T>, circuitId: string, probe: boolean, timeoutMs: number): Promise<T> {
  const controller = new AbortController();
  const context: GuardedCallContext = { circuitId, probe, signal: controller.signal };
  // Going through then() turns a synchronous throw into a rejection, so it is classified like any other failure.
  const work = Promise.resolve().then(() => fn(context));
  if (timeoutMs <= 0) return work;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const err = new CallTimeoutError(circuitId, timeoutMs);
      controller.abort(err);
      reject(err);
    }, timeoutMs);
  });
  // The loser of the race may still reject later; without a handler that would be an unhandled rejection.
  work.catch(() => undefined);
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}
