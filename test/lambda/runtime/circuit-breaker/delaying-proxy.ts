/**
 * An HTTP proxy in front of DynamoDB Local that forwards every request at once but can hold back the response of
 * a chosen one past the client's request timeout. The write has committed; the client sees a timeout and its SDK
 * retries, exactly as when a response is lost on the network.
 */
import { createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** Which response to hold back: the next request for `operation` whose body contains `bodyIncludes`. */
export interface HoldRule {
  /** DynamoDB operation, e.g. `PutItem` (from the X-Amz-Target header). */
  readonly operation: string;
  readonly bodyIncludes?: string;
}

export class DelayingProxy {
  /** Operations forwarded, in order (retries included). */
  public readonly forwarded: string[] = [];
  /** Responses held back so far. */
  public held = 0;
  /** Operations whose answers are delayed by the given ms (a slow store). */
  public readonly delays = new Map<string, number>();
  /** Operations forwarded (they commit) but never answered while listed (a store that hangs). */
  public readonly swallowed = new Set<string>();
  /** Answers of these operations wait (in order) until {@link release}: a response in flight across a freeze. */
  public readonly paused = new Set<string>();
  private readonly waiting: Array<() => void> = [];
  private readonly rules: HoldRule[] = [];
  private readonly server: Server;
  private readonly upstream: URL;

  constructor(upstreamEndpoint: string, private readonly holdMs: number) {
    this.upstream = new URL(upstreamEndpoint);
    this.server = createServer((req, res) => this.forward(req, res));
  }

  /** Sends every answer held by {@link paused} and stops holding them. */
  public release(): void {
    this.paused.clear();
    this.waiting.splice(0).forEach((send) => send());
  }

  /** Answers held by {@link paused} right now. */
  public get pausedAnswers(): number {
    return this.waiting.length;
  }

  /** Resolves with the proxy's endpoint. */
  public async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Holds back the response of the next request matching `rule` (once). */
  public holdNext(rule: HoldRule): void {
    this.rules.push(rule);
  }

  public async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const operation = String(req.headers['x-amz-target'] ?? '').split('.').pop() ?? '';
      this.forwarded.push(operation);
      const ruleIndex = this.rules.findIndex((r) => r.operation === operation && (r.bodyIncludes === undefined || body.includes(r.bodyIncludes)));
      const hold = ruleIndex >= 0;
      if (hold) this.rules.splice(ruleIndex, 1);
      const upstream = request({
        host: this.upstream.hostname, port: this.upstream.port, path: req.url, method: req.method, headers: req.headers,
      }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          if (this.swallowed.has(operation)) return;
          if (this.paused.has(operation)) {
            this.waiting.push(() => {
              res.writeHead(answer.statusCode ?? 500, answer.headers);
              res.end(Buffer.concat(parts));
            });
            return;
          }
          const delay = this.delays.get(operation);
          if (delay !== undefined && !hold) {
            setTimeout(() => {
              res.writeHead(answer.statusCode ?? 500, answer.headers);
              res.end(Buffer.concat(parts));
            }, delay);
            return;
          }
          if (hold) {
            this.held++;
            // The client gives up first; then the connection is dropped without an answer.
            setTimeout(() => res.destroy(), this.holdMs);
            return;
          }
          res.writeHead(answer.statusCode ?? 500, answer.headers);
          res.end(Buffer.concat(parts));
        });
      });
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  }
}
