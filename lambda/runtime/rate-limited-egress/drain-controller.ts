/**
 * The drain controller: while the partner's circuit is not CLOSED it keeps the buffer's event source paused and,
 * when the open period ends, stands for the breaker's single-probe election with one cheap request (GET on the probe
 * URL). When the probe succeeds the breaker closes the circuit and the controller resumes the event source, so
 * draining restarts at the fleet-wide rate. It runs on a schedule (every minute) and, while a circuit is open,
 * keeps watching for up to `watchMs` so recovery does not wait for the next run.
 *
 * Exactly one probe per open period fleet-wide is the breaker's guarantee (a conditional write elects the prober,
 * see the CircuitBreaker runtime); a delivery function still running when the period ends may win the election
 * instead, with a real delivery as its probe, and the controller then sees the circuit close.
 */
import type { DeliveryLogger } from './delivery';
import type { DrainSwitch } from './drain-switch';
import { callPartner, PartnerSemantics } from './partner-http';
import type { FleetRateLimiter } from './rate-limiter';
import type { CircuitBreaker } from '../circuit-breaker/breaker';
import { CircuitOpenError } from '../circuit-breaker/errors';
import { CircuitState } from '../circuit-breaker/types';

/** What the controller needs. */
export interface DrainControllerOptions {
  readonly breaker: CircuitBreaker;
  readonly drain: DrainSwitch;
  readonly limiter: FleetRateLimiter;
  readonly probeUrl: string;
  readonly headers: Record<string, string>;
  readonly semantics: PartnerSemantics;
  /** How long to keep watching an open circuit, ms. */
  readonly watchMs: number;
  /** Longest pause between two looks at an open circuit, ms. @default 1000 */
  readonly pollMs?: number;
  readonly sleep: (ms: number) => Promise<void>;
  readonly logger: DeliveryLogger;
}

/** What one run did. */
export interface DrainControllerReport {
  /** The circuit state when the run ended. */
  readonly state: CircuitState;
  /** Probes this run sent (0 or more; at most one per open period). */
  readonly probes: number;
  readonly paused: boolean;
  readonly resumed: boolean;
}

/** One controller run. */
export async function superviseDrain(options: DrainControllerOptions): Promise<DrainControllerReport> {
  const now = options.semantics.now;
  const until = now() + options.watchMs;
  const pollMs = options.pollMs ?? 1_000;
  let probes = 0;
  let paused = false;
  let resumed = false;
  for (;;) {
    const record = await options.breaker.readState();
    if (record.state === CircuitState.CLOSED) {
      if (!(await options.drain.isDraining())) {
        await options.drain.resume();
        resumed = true;
        options.logger.log('INFO', 'circuit closed: resumed the buffer event source', {});
      }
      return { state: record.state, probes, paused, resumed };
    }
    if (await options.drain.isDraining()) {
      await options.drain.pause();
      paused = true;
      options.logger.log('WARN', `circuit ${record.state}: paused the buffer event source`, {});
    }
    const openUntil = record.state === CircuitState.OPEN ? record.openUntil ?? 0 : record.probeLeaseUntil ?? 0;
    if (now() >= openUntil) {
      try {
        await options.breaker.call(async ({ signal }) => {
          const { slots } = await options.limiter.reserve(1, now() + pollMs * 5);
          // A missed slot fails the probe (the circuit stays open): sending it late could break the rate.
          if (!(await options.limiter.waitFor(slots[0]))) throw new Error('probe missed its send slot');
          probes++;
          await callPartner({ url: options.probeUrl, method: 'GET', headers: options.headers, signal }, options.semantics);
        });
        continue; // the probe closed the circuit (or counted toward successThreshold): look again
      } catch (err) {
        if (!CircuitOpenError.is(err)) options.logger.log('WARN', 'probe failed: the circuit stays open', { error: (err as Error).message });
      }
    }
    const left = until - now();
    if (left <= 0) return { state: (await options.breaker.readState()).state, probes, paused, resumed };
    await options.sleep(Math.max(50, Math.min(pollMs, left, Math.max(0, openUntil - now()))));
  }
}
