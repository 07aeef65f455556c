/**
 * A partner's HTTP API on 127.0.0.1 with a scripted timeline: latency, a rate limit it enforces (429 with
 * Retry-After over a sliding second), error bursts (503 with Retry-After), outages (connections reset) and
 * permanently rejected payloads. It records every request with its arrival time, so tests measure rate, probes and
 * duplicates where the partner sees them. It stops by itself after `lifetimeMs`.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A span of the timeline, ms after the first request. */
export interface Phase {
  readonly fromMs: number;
  readonly toMs: number;
  /** `outage`: every connection is reset. `errors`: every request gets 503 with Retry-After `retryAfterSeconds`. */
  readonly kind: 'outage' | 'errors';
  readonly retryAfterSeconds?: number;
}

/** The script. */
export interface PartnerScript {
  /**
   * Requests per second the partner accepts, counted per calendar second of its timeline (a fixed window, as most
   * partner rate limiters count); more get 429 with Retry-After: 1.
   */
  readonly limitPerSecond: number;
  /** Latency of every answer, ms, uniform in [min, max]. */
  readonly latencyMs: readonly [number, number];
  readonly phases: readonly Phase[];
  /** Bodies containing this text are answered 422 (a payload no retry can fix). */
  readonly rejectBodiesContaining?: string;
  /** Path of the health endpoint the drain controller probes. @default '/health' */
  readonly healthPath?: string;
  /** The server closes itself after this long, ms. */
  readonly lifetimeMs: number;
}

/** One request as the partner saw it. */
export interface SeenRequest {
  /** Arrival, ms after start. */
  readonly at: number;
  readonly method: string;
  readonly path: string;
  readonly idempotencyKey?: string;
  readonly body: string;
  /** The status answered, or 0 for a reset connection. */
  readonly status: number;
  readonly probe: boolean;
}

export class PartnerSimulator {
  /** Starts the server on a free loopback port. */
  public static async start(script: PartnerScript): Promise<PartnerSimulator> {
    const sim = new PartnerSimulator(script);
    await new Promise<void>((resolve) => sim.server.listen(0, '127.0.0.1', resolve));
    sim.lifetime = setTimeout(() => sim.stop(), script.lifetimeMs);
    sim.lifetime.unref();
    return sim;
  }

  public readonly requests: SeenRequest[] = [];
  /** The timeline's origin: the first request (processes take a while to start on a busy machine). */
  private origin?: number;
  private readonly server: Server;
  private readonly accepted: number[] = [];
  private lifetime?: NodeJS.Timeout;

  private constructor(private readonly script: PartnerScript) {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  /** Base URL, e.g. `http://127.0.0.1:43123`. */
  public get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Ms since the first request. */
  public elapsed(): number {
    this.origin ??= Date.now();
    return Date.now() - this.origin;
  }

  public stop(): void {
    if (this.lifetime) clearTimeout(this.lifetime);
    this.server.closeAllConnections();
    this.server.close();
  }

  /** Deliveries (not probes) answered 2xx. */
  public delivered(): SeenRequest[] {
    return this.requests.filter((r) => !r.probe && r.status >= 200 && r.status < 300);
  }

  /** The most requests (of any kind, any answer) that arrived within one sliding second. */
  public maxPerSlidingSecond(): number {
    const times = this.requests.map((r) => r.at).sort((a, b) => a - b);
    let max = 0;
    let first = 0;
    for (let last = 0; last < times.length; last++) {
      while (times[last] - times[first] >= 1000) first++;
      max = Math.max(max, last - first + 1);
    }
    return max;
  }

  /** Requests per calendar second since start. */
  public perSecond(): number[] {
    const counts: number[] = [];
    for (const r of this.requests) {
      const s = Math.floor(r.at / 1000);
      counts[s] = (counts[s] ?? 0) + 1;
    }
    return Array.from(counts, (c) => c ?? 0);
  }

  private phaseAt(at: number): Phase | undefined {
    return this.script.phases.find((p) => at >= p.fromMs && at < p.toMs);
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const at = this.elapsed();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const path = (req.url ?? '/').split('?')[0];
      const probe = path === (this.script.healthPath ?? '/health');
      const key = req.headers['idempotency-key'];
      const record = (status: number) => this.requests.push({
        at, method: req.method ?? '', path, idempotencyKey: typeof key === 'string' ? key : undefined, body, status, probe,
      });
      const phase = this.phaseAt(at);
      if (phase?.kind === 'outage') {
        record(0);
        req.socket.destroy();
        return;
      }
      let status = 200;
      const headers: Record<string, string> = {};
      if (phase?.kind === 'errors') {
        status = 503;
        if (phase.retryAfterSeconds !== undefined) headers['retry-after'] = String(phase.retryAfterSeconds);
      } else if (!probe) {
        const second = Math.floor(at / 1000);
        while (this.accepted.length > 0 && Math.floor(this.accepted[0] / 1000) < second) this.accepted.shift();
        if (this.accepted.length >= this.script.limitPerSecond) {
          status = 429;
          headers['retry-after'] = '1';
        } else if (this.script.rejectBodiesContaining && body.includes(this.script.rejectBodiesContaining)) {
          status = 422;
        } else {
          this.accepted.push(at);
        }
      }
      record(status);
      const [min, max] = this.script.latencyMs;
      setTimeout(() => {
        res.writeHead(status, headers);
        res.end(status < 300 ? '{"ok":true}' : '{"error":"scripted"}');
      }, min + Math.random() * (max - min));
    });
  }
}
