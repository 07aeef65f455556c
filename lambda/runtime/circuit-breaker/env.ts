/**
 * Environment variables shared by the breaker client, the extension and the health checker. The CircuitBreaker
 * construct sets them on protected functions (names in the construct's contract); constructor options override them.
 */

export { CIRCUIT_BREAKER_ENV } from '../../../lib/circuit-breaker/contract';
import { CIRCUIT_BREAKER_ENV } from '../../../lib/circuit-breaker/contract';

/** A process environment (or a stand-in for one in tests). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** Splits the comma-separated circuit id list, dropping blanks. */
export function circuitIdsFromEnv(env: Environment): string[] {
  return (env[CIRCUIT_BREAKER_ENV.CIRCUIT_IDS] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
