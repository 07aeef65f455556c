/**
 * DescribePipe over HTTPS with a Signature Version 4 signature of our own: the Lambda runtime's AWS SDK is not
 * guaranteed to carry the Pipes client, and one signed GET does not need a whole client in the bundle. REST shape:
 * `GET /v1/pipes/{Name}` on `pipes.{region}.amazonaws.com`
 * (https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_DescribePipe.html).
 */
import { createHash, createHmac } from 'node:crypto';

/** What the check reads of a pipe. */
export interface PipeStateReading {
  /** `CurrentState`, or `NOT_FOUND` when the pipe does not exist. */
  readonly currentState: string;
  readonly stateReason?: string;
}

/** Reads one pipe's state. */
export type DescribePipe = (name: string) => Promise<PipeStateReading>;

/** Credentials as Lambda gives them to the function (environment variables). */
export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

const sha256Hex = (data: string) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();

/**
 * The headers of a SigV4-signed GET without query string or body ("Create a signed AWS API request",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html): canonical request,
 * string to sign, signing key derived from the date, region and service, and the Authorization header.
 */
export function signedGetHeaders(
  url: URL, region: string, service: string, credentials: SigningCredentials, now: Date,
): Record<string, string> {
  const amzDate = now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
  const date = amzDate.slice(0, 8);
  const headers: Record<string, string> = { 'host': url.host, 'x-amz-date': amzDate };
  if (credentials.sessionToken) headers['x-amz-security-token'] = credentials.sessionToken;
  const names = Object.keys(headers).sort();
  const signedHeaders = names.join(';');
  const canonicalRequest = ['GET', url.pathname, '', ...names.map((n) => `${n}:${headers[n]}`), '', signedHeaders, sha256Hex('')].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonicalRequest)].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${credentials.secretAccessKey}`, date), region), service), 'aws4_request');
  const signature = createHmac('sha256', key).update(stringToSign).digest('hex');
  return {
    ...headers,
    authorization: `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
  };
}

/** The function's credentials, from the environment Lambda sets. */
export function environmentCredentials(env: Record<string, string | undefined> = process.env): SigningCredentials {
  const { AWS_ACCESS_KEY_ID: accessKeyId, AWS_SECRET_ACCESS_KEY: secretAccessKey, AWS_SESSION_TOKEN: sessionToken } = env;
  if (!accessKeyId || !secretAccessKey) throw new Error('no AWS credentials in the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)');
  return { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
}

/** A DescribePipe for `region`, at the Pipes endpoint or at `endpoint` (AWS_ENDPOINT_URL_PIPES, for a local emulator). */
export function describePipeClient(region: string, endpoint?: string): DescribePipe {
  const base = new URL(endpoint ?? `https://pipes.${region}.amazonaws.com`);
  return async (name) => {
    // Pipe names are letters, digits, '.', '-' and '_': nothing to escape beyond what encodeURIComponent does.
    const url = new URL(`/v1/pipes/${encodeURIComponent(name)}`, base);
    const response = await fetch(url, { headers: signedGetHeaders(url, region, 'pipes', environmentCredentials(), new Date()) });
    const text = await response.text();
    if (response.status === 404) return { currentState: 'NOT_FOUND', stateReason: text.slice(0, 512) };
    if (!response.ok) throw new Error(`DescribePipe ${name}: HTTP ${response.status} ${text.slice(0, 512)}`);
    const body = JSON.parse(text) as { CurrentState?: string; StateReason?: string };
    return { currentState: body.CurrentState ?? 'UNKNOWN', ...(body.StateReason ? { stateReason: body.StateReason } : {}) };
  };
}
