/**
 * Where a guarded call learns the circuit state: the in-process cache (if enabled and fresh), else the extension's
 * cache over localhost, else a direct GetItem. Records this environment wrote are remembered so its own
 * transitions are visible at once, even while the extension still serves the previous version.
 */
import { ExtensionStateClient } from './extension-client';
import type { CircuitStore } from './store';
import { CircuitBreakerLogger } from './telemetry';
import { CircuitRecord } from './types';

/**
 * How long a record this environment wrote (or saw returned by a lost condition) wins over a lower version served
 * by the extension. Bounded, because after a TTL deletion versions legitimately restart at 0.
 */
export const OWN_WRITE_GUARD_MS = 10_000;

/** Dependencies of a {@link CircuitStateSource}. */
export interface CircuitStateSourceProps {
  readonly store: CircuitStore;
  readonly extension?: ExtensionStateClient;
  readonly now: () => number;
  /** In-process cache max age in ms; 0 disables the cache. */
  readonly maxAgeMs: number;
  readonly logger: CircuitBreakerLogger;
}

/** A record and where it came from. */
export interface StateRead {
  readonly record: CircuitRecord;
  /** True when read from DynamoDB for this call; false when a cache (in-process or extension) served it. */
  readonly fresh: boolean;
}

interface Known {
  readonly record: CircuitRecord;
  readonly at: number;
}

/** Reads circuit state through the cheapest source that is fresh enough. */
export class CircuitStateSource {
  private readonly known = new Map<string, Known>();
  private extensionFailing = false;

  constructor(private readonly props: CircuitStateSourceProps) {}

  /**
   * The current record of `id`, and whether it was just read from DynamoDB (`fresh`) rather than served by a
   * cache. Rejects only when DynamoDB itself could not be read.
   */
  public async read(id: string): Promise<StateRead> {
    const now = this.props.now();
    const known = this.known.get(id);
    if (known && this.props.maxAgeMs > 0 && now - known.at < this.props.maxAgeMs) return { record: known.record, fresh: false };

    const fromExtension = await this.readExtension(id);
    if (fromExtension) {
      const record = known && known.record.version > fromExtension.version && now - known.at < OWN_WRITE_GUARD_MS ? known.record : fromExtension;
      this.known.set(id, { record, at: record === fromExtension ? now : known!.at });
      return { record, fresh: false };
    }
    return { record: await this.readFresh(id), fresh: true };
  }

  /**
   * Reads `id` straight from DynamoDB. Used before any write decided from cached state, so a stale view costs a
   * read instead of a doomed conditional write (or a wrong rejection after a lost election).
   */
  public async readFresh(id: string): Promise<CircuitRecord> {
    const record = await this.props.store.read(id);
    this.known.set(id, { record, at: this.props.now() });
    return record;
  }

  /** Records a state this environment wrote or learned from a lost condition, so the next read sees it. */
  public remember(record: CircuitRecord): void {
    const current = this.known.get(record.id);
    if (current && current.record.version > record.version) return;
    this.known.set(record.id, { record, at: this.props.now() });
  }

  /** Drops what is known of `id`, forcing the next read to go to a source. */
  public forget(id: string): void {
    this.known.delete(id);
  }

  private async readExtension(id: string): Promise<CircuitRecord | undefined> {
    const extension = this.props.extension;
    if (!extension) return undefined;
    try {
      const record = await extension.read(id);
      if (this.extensionFailing) {
        this.extensionFailing = false;
        this.props.logger.log('INFO', 'circuit-breaker extension answers again', { circuitId: id, port: extension.port });
      }
      return record;
    } catch (err) {
      // One line per outage, not per call: a missing layer would otherwise log on every guarded call.
      if (!this.extensionFailing) {
        this.extensionFailing = true;
        this.props.logger.log('WARN', 'circuit-breaker extension unavailable; reading DynamoDB directly', {
          circuitId: id, port: extension.port, error: describeError(err),
        });
      }
      return undefined;
    }
  }
}

/** A loggable summary of any thrown value. */
export function describeError(err: unknown): { name: string; message: string } {
  if (err instanceof Error) return { name: err.name, message: err.message };
  return { name: typeof err, message: String(err) };
}
