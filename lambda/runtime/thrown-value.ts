/**
 * JavaScript lets code throw anything: `null`, `undefined`, a string, a plain object. The Powertools batch
 * processors read `error.message` of whatever a record handler threw, so a `null` or `undefined` would crash the
 * whole batch (every record redelivered, those that succeeded included). The runtime helpers hand such values on
 * wrapped in this error, so they fail only their record, like any Error.
 */

/** A record handler threw (or rejected with) something that is not an Error; `thrown` is that value. */
export class NonErrorThrownError extends Error {
  constructor(public readonly thrown: unknown) {
    super(`the record handler threw a value that is not an Error: ${describeThrownValue(thrown)}`, { cause: thrown });
    this.name = 'NonErrorThrownError';
  }
}

/** `thrown` itself when it is an Error, else a {@link NonErrorThrownError} carrying it. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new NonErrorThrownError(thrown);
}

/** A short description of any value that never throws (String() does for objects without a prototype). */
export function describeThrownValue(value: unknown): string {
  if (value === null || value === undefined || typeof value !== 'object') return typeof value === 'string' ? JSON.stringify(value) : String(value);
  try {
    return JSON.stringify(value) ?? Object.prototype.toString.call(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}
