/**
 * The extension's localhost cache of circuit states. An entry is stamped with the time its DynamoDB read was sent
 * (a read in flight across a freeze is as old as it really is) and served while younger than `maxAgeMs`. From
 * three quarters of that age (REFRESH_AHEAD_FRACTION) a lookup still gets the entry at once and starts a refresh in
 * the background, as does each INVOKE (warm), so a lookup waits on DynamoDB only for a circuit it has no entry of younger
 * than the max age. Concurrent reads of one circuit are shared, but a lookup joins a read in flight only if it was
 * sent within the max age before the lookup began: a read sent before a freeze and answered after the thaw is too
 * old for a lookup made after it, which sends a read of its own.
 *
 * GET /circuits/<url-encoded id>[?newerThan=<ms>]
 *   → 200 `{ record, fetchedAt }` (`record: null` for a circuit with no item; `fetchedAt`: when the read was sent),
 *     503 when DynamoDB cannot be read (the client then reads DynamoDB itself). With `newerThan` (a client's
 *     background refresh) an entry read no later than that is refreshed before the answer.
 * GET /health                    → 200 `{ status: "ok", circuits, stats }`
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { EXTENSION_CIRCUITS_PATH, NEWER_THAN_PARAMETER } from '../runtime/circuit-breaker/extension-client';
import { describeError, refreshAheadMs } from '../runtime/circuit-breaker/state-source';
import type { CircuitStore } from '../runtime/circuit-breaker/store';
import { CircuitBreakerLogger, jsonLineLogger } from '../runtime/circuit-breaker/telemetry';
import type { CircuitRecord } from '../runtime/circuit-breaker/types';

/** DynamoDB's limit for a partition key value. */
const MAX_ID_BYTES = 2048;

/** Settings of a {@link CircuitStateServer}. */
export interface CircuitStateServerProps {
  /** Where states are read from; undefined when the function has no table configured (every lookup is a 503). */
  readonly store?: CircuitStore;
  /** Max age of a cache entry, ms. */
  readonly maxAgeMs: number;
  /** Time source, epoch ms. @default Date.now */
  readonly now?: () => number;
  /** @default jsonLineLogger */
  readonly logger?: CircuitBreakerLogger;
  /** Entries kept at most; the oldest is evicted beyond it. @default 1000 */
  readonly maxEntries?: number;
}

interface CacheEntry {
  readonly record: CircuitRecord;
  /** When the DynamoDB read was sent. */
  readonly fetchedAt: number;
}

/** Counters for tests and benchmarks. */
export interface CircuitStateServerStats {
  /** Lookups served from an entry younger than the max age (background refreshes included). */
  hits: number;
  /** Lookups that waited for a DynamoDB read (shared reads count once per lookup). */
  misses: number;
  /** Reads started ahead of an entry's expiry, by a lookup or a warm-up. */
  refreshesAhead: number;
  /** Lookups asking for state newer than the entry (a client's background refresh), answered after a read. */
  newerWaits: number;
  /** DynamoDB reads started. */
  reads: number;
  /** DynamoDB reads that failed. */
  readErrors: number;
}

/** An HTTP server on 127.0.0.1 answering circuit-state lookups from a short-lived cache. */
export class CircuitStateServer {
  /** Lookup counters. */
  public readonly stats: CircuitStateServerStats = { hits: 0, misses: 0, refreshesAhead: 0, newerWaits: 0, reads: 0, readErrors: 0 };
  private readonly cache = new Map<string, CacheEntry>();
  private readonly inFlight = new Map<string, { readonly sentAt: number; readonly read: Promise<CacheEntry> }>();
  private readonly server: Server;
  private readonly now: () => number;
  private readonly logger: CircuitBreakerLogger;

  constructor(private readonly props: CircuitStateServerProps) {
    this.now = props.now ?? Date.now;
    this.logger = props.logger ?? jsonLineLogger;
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => this.send(res, 500, { error: describeError(err).message }));
    });
    // Lambda's runtime client keeps sockets alive between invokes; do not let idle ones pile up.
    this.server.keepAliveTimeout = 60_000;
  }

  /** Starts listening on 127.0.0.1 and resolves with the bound port (pass 0 for an ephemeral one). */
  public listen(port: number): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops accepting requests and drops open connections. */
  public close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) {
        resolve();
        return;
      }
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  /**
   * The cached (or freshly read) record of `id`. With `newerThan` (a client refreshing in the background, which
   * nobody waits for), an entry read no later than that is refreshed first; if that read fails, the entry is still
   * the answer while it is younger than the max age. Rejects when DynamoDB cannot be read and nothing fresh is cached.
   */
  public async lookup(id: string, newerThan?: number): Promise<CacheEntry> {
    const begun = this.now();
    // Only a read sent after this lands within the max age of this lookup (and after `newerThan`, if asked).
    const sentAfter = Math.max(begun - this.props.maxAgeMs, newerThan ?? -Infinity);
    const cached = this.cache.get(id);
    if (cached && this.age(cached) < this.props.maxAgeMs) {
      if (newerThan === undefined || cached.fetchedAt > newerThan) {
        this.stats.hits++;
        this.refreshAhead(id, cached);
        return cached;
      }
      this.stats.newerWaits++;
      return this.fetch(id, sentAfter).catch(() => cached);
    }
    this.stats.misses++;
    return this.fetch(id, sentAfter);
  }

  /**
   * Starts a background read of every circuit in `ids` or in the cache that has no entry or one due for a refresh,
   * so the lookups of the invoke that follows are hits. Never rejects, and never waits for the reads.
   */
  public warm(ids: readonly string[]): void {
    for (const id of new Set([...ids, ...this.cache.keys()])) {
      const cached = this.cache.get(id);
      if (cached) this.refreshAhead(id, cached);
      else this.fetch(id).catch(() => undefined); // logged by fetch; a lookup retries
    }
  }

  /** Settles once no read is in flight (tests, and a bounded wait at init). */
  public async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight.values()].map((f) => f.read));
  }

  private age(entry: CacheEntry): number {
    return this.now() - entry.fetchedAt;
  }

  private refreshAhead(id: string, cached: CacheEntry): void {
    if (this.age(cached) < refreshAheadMs(this.props.maxAgeMs) || this.inFlight.has(id)) return;
    this.stats.refreshesAhead++;
    this.fetch(id).catch(() => undefined); // logged by fetch; the entry stays until it expires
  }

  /** A read of `id`: the one in flight if it was sent after `sentAfter`, else a new one. */
  private fetch(id: string, sentAfter = -Infinity): Promise<CacheEntry> {
    const pending = this.inFlight.get(id);
    if (pending && pending.sentAt > sentAfter) return pending.read;
    const store = this.props.store;
    if (!store) return Promise.reject(new Error('no circuit table configured (CIRCUIT_BREAKER_TABLE_NAME is not set)'));
    this.stats.reads++;
    // Stamped when sent: if the environment freezes while the read is in flight, it completes as old as it is.
    const sentAt = this.now();
    const read = store.read(id).then((record) => {
      const current = this.cache.get(id);
      if (current && current.fetchedAt > sentAt) return current;
      const entry = { record, fetchedAt: sentAt };
      this.cache.delete(id);
      this.cache.set(id, entry);
      if (this.cache.size > (this.props.maxEntries ?? 1000)) this.cache.delete(this.cache.keys().next().value as string);
      return entry;
    }, (err) => {
      this.stats.readErrors++;
      this.logger.log('WARN', 'extension could not read circuit state', { circuitId: id, error: describeError(err) });
      throw err;
    }).finally(() => {
      if (this.inFlight.get(id)?.read === read) this.inFlight.delete(id);
    });
    this.inFlight.set(id, { sentAt, read });
    return read;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const [path, query] = (req.url ?? '/').split('?');
    if (req.method !== 'GET') {
      this.send(res, 405, { error: 'only GET is supported' });
      return;
    }
    if (path === '/health') {
      this.send(res, 200, { status: 'ok', circuits: this.cache.size, stats: this.stats });
      return;
    }
    if (!path.startsWith(EXTENSION_CIRCUITS_PATH)) {
      this.send(res, 404, { error: `unknown path ${path}` });
      return;
    }
    let id: string;
    try {
      id = decodeURIComponent(path.slice(EXTENSION_CIRCUITS_PATH.length));
    } catch {
      this.send(res, 400, { error: 'circuit id is not valid URL encoding' });
      return;
    }
    if (id.length === 0 || Buffer.byteLength(id) > MAX_ID_BYTES) {
      this.send(res, 400, { error: `circuit id must be 1 to ${MAX_ID_BYTES} bytes` });
      return;
    }
    const newerThan = Number(new URLSearchParams(query ?? '').get(NEWER_THAN_PARAMETER) ?? NaN);
    try {
      const entry = await this.lookup(id, Number.isFinite(newerThan) ? newerThan : undefined);
      this.send(res, 200, { record: entry.record.version === 0 ? null : entry.record, fetchedAt: entry.fetchedAt });
    } catch (err) {
      this.send(res, 503, { error: describeError(err).message });
    }
  }

  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }
}
