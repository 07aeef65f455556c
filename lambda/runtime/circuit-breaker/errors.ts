/**
 * Typed errors of the circuit-breaker client. Brands (Symbol.for) back the `is*` checks so they still work when a
 * function bundles two copies of this module, where `instanceof` would not.
 */
import { CircuitState } from './types';

const CIRCUIT_OPEN_BRAND = Symbol.for('cdk-serverless-patterns.circuit-breaker.CircuitOpenError');
const CALLER_ERROR_BRAND = Symbol.for('cdk-serverless-patterns.circuit-breaker.CallerError');
const CALL_TIMEOUT_BRAND = Symbol.for('cdk-serverless-patterns.circuit-breaker.CallTimeoutError');

/** Why a guarded call was not run. */
export enum CircuitRejectionReason {
  /** The circuit is OPEN and its open timeout has not ended. */
  OPEN = 'OPEN',
  /** The circuit is HALF_OPEN and another caller holds the probe lease. */
  PROBE_IN_PROGRESS = 'PROBE_IN_PROGRESS',
  /** The open timeout ended but another caller won the probe election. */
  PROBE_ELECTION_LOST = 'PROBE_ELECTION_LOST',
  /** The state store could not be read and the breaker is configured to fail closed. */
  STORE_UNAVAILABLE = 'STORE_UNAVAILABLE',
}

/** Thrown (or handed to the fallback) when the breaker refuses to run a call. The guarded function did not run. */
export class CircuitOpenError extends Error {
  /** True for every instance, also across bundled copies of this module. */
  public static is(err: unknown): err is CircuitOpenError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[CIRCUIT_OPEN_BRAND] === true;
  }

  /** The circuit that refused the call. */
  public readonly circuitId: string;
  /** Why the call was refused. */
  public readonly reason: CircuitRejectionReason;
  /** The state the breaker saw, when it could read one. */
  public readonly state?: CircuitState;
  /** Epoch milliseconds after which a call may be admitted again (end of the open period or of the probe lease). */
  public readonly retryAt?: number;

  constructor(circuitId: string, reason: CircuitRejectionReason, state?: CircuitState, retryAt?: number) {
    super(`circuit ${circuitId} rejected the call: ${reason}${retryAt !== undefined ? ` (retry after ${new Date(retryAt).toISOString()})` : ''}`);
    this.name = 'CircuitOpenError';
    this.circuitId = circuitId;
    this.reason = reason;
    this.state = state;
    this.retryAt = retryAt;
    Object.defineProperty(this, CIRCUIT_OPEN_BRAND, { value: true });
  }
}

/**
 * Wrap (or subclass) errors caused by the caller rather than the dependency — a validation error, a 404 for an id
 * that does not exist — so the default classification does not count them as failures of the dependency.
 */
export class CallerError extends Error {
  /** True for instances of this class, also across bundled copies of this module. */
  public static is(err: unknown): err is CallerError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[CALLER_ERROR_BRAND] === true;
  }

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CallerError';
    Object.defineProperty(this, CALLER_ERROR_BRAND, { value: true });
  }
}

/** Thrown when a guarded call ran longer than its call timeout. Counts as a failure under the default classification. */
export class CallTimeoutError extends Error {
  /** True for instances of this class, also across bundled copies of this module. */
  public static is(err: unknown): err is CallTimeoutError {
    return typeof err === 'object' && err !== null && (err as Record<symbol, unknown>)[CALL_TIMEOUT_BRAND] === true;
  }

  /** The circuit whose call timed out. */
  public readonly circuitId: string;
  /** The timeout that elapsed, in milliseconds. */
  public readonly timeoutMs: number;

  constructor(circuitId: string, timeoutMs: number) {
    super(`call guarded by circuit ${circuitId} did not settle within ${timeoutMs} ms`);
    this.name = 'CallTimeoutError';
    this.circuitId = circuitId;
    this.timeoutMs = timeoutMs;
    Object.defineProperty(this, CALL_TIMEOUT_BRAND, { value: true });
  }
}

/** Invalid breaker configuration (options or environment). Thrown at construction, never swallowed. */
export class CircuitBreakerConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CircuitBreakerConfigError';
  }
}

/**
 * The default failure classification: every error counts against the dependency except {@link CallerError}s.
 * HTTP-status heuristics are deliberately left out: AWS SDK throttling errors carry status 400, and treating them
 * as caller errors would hide exactly the overload a breaker exists to react to. Pass `isFailure` to refine.
 */
export function defaultIsFailure(err: unknown): boolean {
  return !CallerError.is(err);
}
