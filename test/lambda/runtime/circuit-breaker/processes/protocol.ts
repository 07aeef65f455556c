/** What the fleet test hands each worker process and what it reports back. */
import type { CircuitBreakerSettings } from '../../../../../lambda/runtime/circuit-breaker/config';
import type { LocalWindow } from '../../../../../lambda/runtime/circuit-breaker/counting';

interface TaskBase {
  readonly endpoint: string;
  readonly table: string;
  readonly settings: CircuitBreakerSettings;
}

/** Every process calls each circuit (an OPEN one whose open period has ended) at the same moment, one round each. */
export interface ElectionTask extends TaskBase {
  readonly kind: 'election';
  readonly circuitIds: string[];
  /** Time between the starts of two rounds, ms. */
  readonly roundMs: number;
  /** Writes wait this long after a round starts, so every process has read the OPEN state before anyone writes. */
  readonly holdWritesMs: number;
  /** How long the dependency takes to answer. */
  readonly probeMs: number;
}

/** Calls at a rate for a while, each failing with a probability (seeded per process). */
export interface TrafficTask extends TaskBase {
  readonly kind: 'traffic';
  readonly circuitId: string;
  readonly durationMs: number;
  /** Calls per second. */
  readonly rate: number;
  readonly failureProbability: number;
  readonly seed: number;
  /** Stop at the first call the circuit refuses. */
  readonly stopWhenOpen: boolean;
  /** End with one more call a report interval after the last, so everything counted reaches the table. */
  readonly finalReport: boolean;
  /** Replace the environment (a new CircuitBreaker, the old one closed) this often: short-lived environments. */
  readonly lifetimeMs?: number;
}

/** One planned call: which environment made it, when it completed, whether the dependency failed, whether the circuit refused it. */
export interface TracedCallResult {
  readonly env: string;
  readonly at: number;
  readonly failed: boolean;
  readonly refused: boolean;
}

export type WorkerTask = ElectionTask | TrafficTask;

export type TaskResult =
  /** Per round: 'probed', 'ran' (an ordinary call, after the probe closed the circuit), or the rejection reason. */
  | { readonly kind: 'election'; readonly rounds: string[] }
  | {
    readonly kind: 'traffic';
    readonly calls: number;
    readonly failures: number;
    readonly firstFailureAt?: number;
    readonly refusedAt?: number;
    readonly window?: LocalWindow;
    /** Every planned call, refused ones included (what the dependency would have answered). */
    readonly trace: TracedCallResult[];
  };

/** A worker's result with what every worker reports. */
export type WorkerResult = TaskResult & {
  readonly writerKey: string;
  /** Write requests it sent. */
  readonly writes: number;
  /** Names of the EMF metrics it emitted. */
  readonly metrics: string[];
};
