/**
 * The HTTP call to the rate-limited downstream service. Every way it can go wrong throws, so the record is retried
 * through SQS at the pace the event source's maxConcurrency allows, instead of hammering a struggling service.
 */

/** The downstream answered with a status outside 2xx (429 and 5xx included: all are worth a later retry). */
export class DownstreamStatusError extends Error {
  /** The HTTP status the downstream answered with. */
  public readonly status: number;

  constructor(url: string, status: number) {
    super(`downstream ${url} answered ${status}`);
    this.name = 'DownstreamStatusError';
    this.status = status;
  }
}

/** The downstream did not answer (headers and body) within the time allowed. */
export class DownstreamTimeoutError extends Error {
  constructor(url: string, timeoutMs: number) {
    super(`downstream ${url} did not answer within ${timeoutMs} ms`);
    this.name = 'DownstreamTimeoutError';
  }
}

/** One POST of a JSON document. */
export interface PostJsonRequest {
  /** The downstream endpoint. */
  readonly url: string;
  /** The JSON document to send. */
  readonly body: unknown;
  /** Abort the request after this many milliseconds. */
  readonly timeoutMs: number;
  /** Sent as the `Idempotency-Key` header, so the downstream can drop a repeat our own check cannot see. */
  readonly idempotencyKey: string;
}

/**
 * POSTs a JSON document and resolves when the downstream answered 2xx.
 * @throws DownstreamStatusError on any other status; DownstreamTimeoutError when the timeout passes first
 */
export async function postJson(request: PostJsonRequest): Promise<void> {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), request.timeoutMs);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'idempotency-key': request.idempotencyKey },
      body: JSON.stringify(request.body),
      signal: abort.signal,
    });
    // Reading the body under the same timer frees the connection for reuse and bounds a slowly streamed answer.
    await response.arrayBuffer();
    if (!response.ok) throw new DownstreamStatusError(request.url, response.status);
  } catch (error) {
    if (abort.signal.aborted) throw new DownstreamTimeoutError(request.url, request.timeoutMs);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}
