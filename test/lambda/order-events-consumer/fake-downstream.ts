/**
 * A real HTTP server on 127.0.0.1 standing in for the rate-limited downstream. How it answers depends on the order
 * id it receives, so one server (and one DOWNSTREAM_URL fixed at handler init) covers every case:
 * `fail-*` → 500, `limited-*` → 429, `slow-*` → 200 after `slowMs`, `flaky-*` → 503 the first time then 202,
 * anything else → 202.
 */
import { createServer, IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What the downstream received. */
export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: any;
}

/** A started fake downstream. */
export interface FakeDownstream {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Requests received for one order id. */
  requestsFor(orderId: string): ReceivedRequest[];
  close(): Promise<void>;
}

export async function startFakeDownstream(options: { slowMs?: number } = {}): Promise<FakeDownstream> {
  const slowMs = options.slowMs ?? 3000;
  const requests: ReceivedRequest[] = [];
  const flakyAnswered = new Set<string>();
  const pendingTimers = new Set<NodeJS.Timeout>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: any;
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const orderId = String(body?.orderId ?? '');
      const answer = (status: number) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ status }));
      };
      if (orderId.startsWith('fail-')) return answer(500);
      if (orderId.startsWith('limited-')) return answer(429);
      if (orderId.startsWith('flaky-') && !flakyAnswered.has(orderId)) {
        flakyAnswered.add(orderId);
        return answer(503);
      }
      if (orderId.startsWith('slow-')) {
        const timer = setTimeout(() => {
          pendingTimers.delete(timer);
          if (!res.destroyed) answer(200);
        }, slowMs);
        pendingTimers.add(timer);
        return;
      }
      return answer(202);
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/orders`,
    requests,
    requestsFor: (orderId) => requests.filter((r) => r.body?.orderId === orderId),
    close: async () => {
      for (const timer of pendingTimers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
