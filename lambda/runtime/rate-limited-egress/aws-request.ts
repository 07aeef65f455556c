/**
 * A signed JSON request to an AWS REST API, for the two calls this runtime makes outside the SDK clients it already
 * depends on (Lambda's event source mapping API and Secrets Manager's GetSecretValue): Signature Version 4 with
 * node:crypto and the credentials Lambda puts in the environment. Adding two SDK clients for two calls would add two
 * dependencies to every user's install; the signing steps are those of "Create a signed AWS API request",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html.
 */
import { createHash, createHmac } from 'node:crypto';

/** Credentials; Lambda sets them as AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN. */
export interface AwsCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** Where and how to send. */
export interface AwsRequestTarget {
  /** Signing name of the service, e.g. `lambda`, `secretsmanager`. */
  readonly service: string;
  readonly region: string;
  /** Base URL; @default `https://<service>.<region>.amazonaws.com` */
  readonly endpoint?: string;
  readonly credentials?: AwsCredentials;
  /** Timeout of the request, ms. @default 3000 */
  readonly timeoutMs?: number;
}

/** An error answer of the service, with its error type (e.g. `ResourceConflictException`). */
export class AwsRequestError extends Error {
  constructor(public readonly status: number, public readonly errorType: string, message: string) {
    super(`${errorType} (${status}): ${message}`);
    this.name = errorType;
  }
}

/** The credentials in the process environment. */
export function environmentCredentials(env: Readonly<Record<string, string | undefined>> = process.env): AwsCredentials {
  const accessKeyId = env.AWS_ACCESS_KEY_ID;
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY;
  if (!accessKeyId || !secretAccessKey) throw new Error('no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)');
  return { accessKeyId, secretAccessKey, sessionToken: env.AWS_SESSION_TOKEN || undefined };
}

/** Sends one signed request; resolves with the parsed JSON answer, rejects with {@link AwsRequestError}. */
export async function awsJsonRequest(
  target: AwsRequestTarget,
  method: string,
  path: string,
  body?: unknown,
  extraHeaders: Record<string, string> = {},
): Promise<any> {
  const base = new URL(target.endpoint ?? `https://${target.service}.${target.region}.amazonaws.com`);
  const url = new URL(path, base);
  const payload = body === undefined ? '' : JSON.stringify(body);
  const headers = signRequest({
    method,
    url,
    headers: { ...extraHeaders, ...(payload ? { 'content-type': extraHeaders['content-type'] ?? 'application/json' } : {}) },
    body: payload,
    service: target.service,
    region: target.region,
    credentials: target.credentials ?? environmentCredentials(),
    now: new Date(),
  });
  const response = await fetch(url, {
    method,
    headers,
    body: payload || undefined,
    signal: AbortSignal.timeout(target.timeoutMs ?? 3_000),
  });
  const text = await response.text();
  const parsed = text ? safeJson(text) : {};
  if (!response.ok) {
    const type = String(response.headers.get('x-amzn-errortype') ?? parsed.__type ?? parsed.Type ?? 'UnknownError').split(':')[0].split('#').pop()!;
    throw new AwsRequestError(response.status, type, String(parsed.message ?? parsed.Message ?? text).slice(0, 500));
  }
  return parsed;
}

/** What {@link signRequest} signs. */
export interface SignableRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly service: string;
  readonly region: string;
  readonly credentials: AwsCredentials;
  readonly now: Date;
}

/** The request's headers with `host`, `x-amz-date`, the security token and `authorization` added (SigV4). */
export function signRequest(request: SignableRequest): Record<string, string> {
  const amzDate = request.now.toISOString().replace(/[:-]|\.\d{3}/g, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(request.headers)) headers[k.toLowerCase()] = v.trim().replace(/\s+/g, ' ');
  headers.host = request.url.host;
  headers['x-amz-date'] = amzDate;
  if (request.credentials.sessionToken) headers['x-amz-security-token'] = request.credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalQuery = [...request.url.searchParams.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)])
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  // Every service but S3 signs the path with each segment URI-encoded twice; URL already encoded it once.
  const canonicalPath = request.url.pathname.split('/').map((segment) => rfc3986(segment)).join('/') || '/';
  const canonicalRequest = [
    request.method.toUpperCase(),
    canonicalPath,
    canonicalQuery,
    names.map((n) => `${n}:${headers[n]}\n`).join(''),
    signedHeaders,
    sha256Hex(request.body),
  ].join('\n');
  const scope = `${day}/${request.region}/${request.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${request.credentials.secretAccessKey}`, day);
  for (const part of [request.region, request.service, 'aws4_request']) key = hmac(key, part);
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  headers.authorization =
    `AWS4-HMAC-SHA256 Credential=${request.credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

function sha256Hex(data: string): string {
  return createHash('sha256').update(data).digest('hex');
}

function rfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function safeJson(text: string): any {
  try {
    return JSON.parse(text);
  } catch {
    return { message: text };
  }
}
