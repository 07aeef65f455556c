/**
 * Reads circuit state from the circuit-breaker extension's cache on 127.0.0.1. node:http with a keep-alive agent
 * rather than fetch: a localhost round trip then costs a fraction of a millisecond, which is the point of the cache.
 */
import { Agent, request } from 'node:http';
import { recordFromJson } from './codec';
import { CircuitRecord } from './types';

/** Path prefix of the extension's state endpoint: GET `/circuits/<url-encoded id>`. */
export const EXTENSION_CIRCUITS_PATH = '/circuits/';
/**
 * Query parameter asking for state read after the given time (epoch ms): the extension answers at once if it has
 * such state, else once its refresh from DynamoDB is done. For background refreshes, which nobody waits for.
 */
export const NEWER_THAN_PARAMETER = 'newerThan';

/** Body of a successful state response. `record: null` means the circuit has no item (a fresh CLOSED circuit). */
export interface ExtensionStateResponse {
  /** The cached record (JSON form of `CircuitRecord`), or null when the item does not exist. */
  readonly record: CircuitRecord | null;
  /** Epoch ms at which the extension sent the DynamoDB read the record comes from. */
  readonly fetchedAt: number;
}

/** A record as the extension served it. */
export interface ExtensionAnswer {
  readonly record: CircuitRecord;
  /** When the DynamoDB read behind it was sent (the record is at least this old). */
  readonly fetchedAt: number;
}

/** A request sent on a kept-alive socket the extension had already closed. */
class StaleSocketError extends Error {
  constructor(cause: Error) {
    super(`extension connection was closed while idle: ${cause.message}`, { cause });
    this.name = 'StaleSocketError';
  }
}

/** A client of the extension's local state endpoint. */
export class ExtensionStateClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 8 });

  constructor(
    /** Port the extension listens on (127.0.0.1). */
    public readonly port: number,
    /** Give up (and let the caller read DynamoDB) after this many milliseconds. */
    public readonly timeoutMs: number,
  ) {}

  /**
   * The cached record of `id` and its read time; rejects on any transport, status or format problem. With
   * `newerThan`, asks for state read after that time (waiting for the extension's refresh), within `timeoutMs`.
   */
  public async read(id: string, options: { newerThan?: number; timeoutMs?: number } = {}): Promise<ExtensionAnswer> {
    try {
      return await this.attempt(id, options);
    } catch (err) {
      // The extension closes idle keep-alive sockets after a while; an environment frozen longer than that finds out
      // only when its next request on the old socket meets a reset. That is not the extension failing: ask again on
      // a new connection, once.
      if (!(err instanceof StaleSocketError)) throw err;
      return this.attempt(id, options);
    }
  }

  private attempt(id: string, options: { newerThan?: number; timeoutMs?: number }): Promise<ExtensionAnswer> {
    const timeoutMs = options.timeoutMs ?? this.timeoutMs;
    const query = options.newerThan === undefined ? '' : `?${NEWER_THAN_PARAMETER}=${options.newerThan}`;
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: this.port,
        path: `${EXTENSION_CIRCUITS_PATH}${encodeURIComponent(id)}${query}`,
        method: 'GET',
        agent: this.agent,
        timeout: timeoutMs,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          if (res.statusCode !== 200) {
            reject(new Error(`extension answered ${res.statusCode} for circuit ${id}`));
            return;
          }
          try {
            const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { record?: unknown; fetchedAt?: unknown };
            const record = recordFromJson(id, body.record);
            const fetchedAt = body.fetchedAt;
            if (record && typeof fetchedAt === 'number' && Number.isFinite(fetchedAt)) resolve({ record, fetchedAt });
            else reject(new Error(`extension returned a malformed record for circuit ${id}`));
          } catch (err) {
            reject(err);
          }
        });
      });
      // `timeout` only fires on socket inactivity; destroying the request turns it into a rejection.
      req.on('timeout', () => req.destroy(new Error(`extension did not answer within ${timeoutMs} ms`)));
      req.on('error', (err: NodeJS.ErrnoException) => {
        // Node's documented test for this case: the request went out on a reused keep-alive socket that the server had
        // closed (https://nodejs.org/api/http.html#requestreusedsocket).
        const stale = req.reusedSocket && (err.code === 'ECONNRESET' || err.code === 'EPIPE');
        reject(stale ? new StaleSocketError(err) : err);
      });
      req.end();
    });
  }

  /** Closes idle keep-alive sockets (tests and benchmarks; a Lambda environment simply freezes). */
  public close(): void {
    this.agent.destroy();
  }
}
