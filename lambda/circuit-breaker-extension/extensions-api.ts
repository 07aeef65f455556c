/**
 * Minimal client of the Lambda Extensions API (register, then long-poll for the next event). node:http without
 * keep-alive or timeouts: `event/next` legitimately blocks for as long as the environment stays idle or frozen,
 * which fetch's default header timeout would turn into an error.
 */
import { request } from 'node:http';

/** Extensions API version path. */
export const EXTENSIONS_API_PATH = '/2020-01-01/extension';

/** Event types an extension can subscribe to. */
export type ExtensionEventType = 'INVOKE' | 'SHUTDOWN';

/** An event returned by `event/next` (only the fields this extension reads). */
export interface ExtensionEvent {
  readonly eventType: ExtensionEventType;
  readonly deadlineMs?: number;
  readonly requestId?: string;
  readonly shutdownReason?: string;
}

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/**
 * Registers the extension and returns its identifier. `name` must equal the executable's file name under
 * /opt/extensions, or Lambda rejects the registration.
 */
export async function registerExtension(runtimeApi: string, name: string, events: ExtensionEventType[]): Promise<string> {
  const res = await send(runtimeApi, 'POST', `${EXTENSIONS_API_PATH}/register`, { 'Lambda-Extension-Name': name }, JSON.stringify({ events }));
  const id = res.headers['lambda-extension-identifier'];
  if (res.status !== 200 || typeof id !== 'string' || id.length === 0) {
    throw new Error(`extension registration failed: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  }
  return id;
}

/** Blocks until Lambda sends the next event. Calling it also tells Lambda this extension is done with the last one. */
export async function nextEvent(runtimeApi: string, extensionId: string): Promise<ExtensionEvent> {
  const res = await send(runtimeApi, 'GET', `${EXTENSIONS_API_PATH}/event/next`, { 'Lambda-Extension-Identifier': extensionId });
  if (res.status !== 200) throw new Error(`event/next failed: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  const event = JSON.parse(res.body) as ExtensionEvent;
  if (event.eventType !== 'INVOKE' && event.eventType !== 'SHUTDOWN') {
    throw new Error(`event/next returned an unknown event type ${JSON.stringify(event.eventType)}`);
  }
  return event;
}

function send(runtimeApi: string, method: string, path: string, headers: Record<string, string>, body?: string): Promise<RawResponse> {
  // AWS_LAMBDA_RUNTIME_API is "host:port" without a scheme.
  const url = new URL(`http://${runtimeApi}${path}`);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname,
      method,
      agent: false,
      headers: { ...headers, ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}
