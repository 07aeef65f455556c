/**
 * A local stand-in for the Lambda Extensions API (register and event/next), enough to run the real extension
 * executable as a child process and drive its lifecycle from a test.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

/** What the stand-in saw of one registration. */
export interface Registration {
  readonly name: string | undefined;
  readonly events: unknown;
}

/** An Extensions API on 127.0.0.1 that hands out events the test pushes. */
export class ExtensionsApiStandIn {
  public static readonly EXTENSION_ID = 'test-extension-id-7f3a';
  public readonly registrations: Registration[] = [];
  /** Number of event/next requests received (each one also acknowledges the previous event). */
  public nextRequests = 0;
  /** Requests the stand-in refused (bad identifier, unknown path). */
  public readonly refused: string[] = [];
  private readonly queue: object[] = [];
  private readonly waiting: ServerResponse[] = [];
  private readonly nextListeners: Array<() => void> = [];
  private readonly server: Server;

  constructor() {
    this.server = createServer((req, res) => this.handle(req, res));
  }

  /** `host:port`, the form of AWS_LAMBDA_RUNTIME_API. */
  public get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  public start(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  /** Queues an event; a pending event/next request receives it at once. */
  public push(event: object): void {
    this.queue.push(event);
    this.flush();
  }

  /** Resolves once at least `count` event/next requests have arrived (bounded by `timeoutMs`). */
  public waitForNextRequests(count: number, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${this.nextRequests} of ${count} event/next requests within ${timeoutMs} ms`)), timeoutMs);
      const check = () => {
        if (this.nextRequests >= count) {
          clearTimeout(timer);
          resolve();
        } else {
          this.nextListeners.push(check);
        }
      };
      check();
    });
  }

  public close(): Promise<void> {
    for (const res of this.waiting.splice(0)) res.destroy();
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST' && req.url === '/2020-01-01/extension/register') {
        const body = chunks.length ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : {};
        this.registrations.push({ name: req.headers['lambda-extension-name'] as string | undefined, events: body.events });
        res.writeHead(200, { 'Content-Type': 'application/json', 'Lambda-Extension-Identifier': ExtensionsApiStandIn.EXTENSION_ID });
        res.end(JSON.stringify({ functionName: 'test-function', functionVersion: '$LATEST', handler: 'index.handler' }));
        return;
      }
      if (req.method === 'GET' && req.url === '/2020-01-01/extension/event/next') {
        if (req.headers['lambda-extension-identifier'] !== ExtensionsApiStandIn.EXTENSION_ID) {
          this.refused.push(`event/next with identifier ${String(req.headers['lambda-extension-identifier'])}`);
          res.writeHead(403).end();
          return;
        }
        this.nextRequests++;
        this.waiting.push(res);
        this.flush();
        for (const listener of this.nextListeners.splice(0)) listener();
        return;
      }
      this.refused.push(`${req.method} ${req.url}`);
      res.writeHead(404).end();
    });
  }

  private flush(): void {
    while (this.queue.length > 0 && this.waiting.length > 0) {
      const res = this.waiting.shift()!;
      const body = JSON.stringify(this.queue.shift());
      res.writeHead(200, { 'Content-Type': 'application/json', 'Lambda-Extension-Event-Identifier': `event-${this.nextRequests}` });
      res.end(body);
    }
  }
}
