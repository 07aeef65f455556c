/**
 * One HTTP request to the partner, and what its answer means for the event:
 *
 * | answer | outcome | counted by the breaker |
 * | --- | --- | --- |
 * | 2xx (3xx is not followed) | delivered | success |
 * | a permanent 4xx (default 400, 401, 403, 404, 405, 410, 413, 422) | rejected: dead-lettered at once, no retry can fix it | success (the partner answered) |
 * | 429, or another 4xx | throttled / retried: sent again after Retry-After (or at the next slot) | success (the partner is up) |
 * | 5xx (503 included), timeout, network error | failed: retried later | failure |
 *
 * Retry-After (seconds, or an HTTP date) on 429 and 503 pushes the whole fleet's schedule back (RFC 9110 §10.2.3).
 */
/** The delivered, rejected and throttled outcomes; failures are thrown as {@link PartnerFailure}. */
export type PartnerAnswer =
  | { readonly kind: 'delivered'; readonly status: number }
  | { readonly kind: 'rejected'; readonly status: number; readonly body: string }
  | { readonly kind: 'throttled'; readonly status: number; readonly retryAfterMs?: number };

/** A failure of the partner (5xx, timeout, network): counted against it by the breaker. */
export class PartnerFailure extends Error {
  constructor(message: string, public readonly status?: number, public readonly retryAfterMs?: number) {
    super(message);
    this.name = 'PartnerFailure';
  }
}

/** One request. */
export interface PartnerRequest {
  readonly url: string;
  readonly method: string;
  readonly headers: Record<string, string>;
  readonly body?: string;
  readonly signal?: AbortSignal;
}

/** How answers are classified. */
export interface PartnerSemantics {
  /** 4xx statuses that are permanent. */
  readonly permanentStatuses: ReadonlySet<number>;
  /** Longest Retry-After honoured, ms. */
  readonly maxRetryAfterMs: number;
  /** Current time, for Retry-After dates. */
  readonly now: () => number;
}

/** Sends the request and classifies the answer; throws {@link PartnerFailure} for what counts against the partner. */
export async function callPartner(request: PartnerRequest, semantics: PartnerSemantics): Promise<PartnerAnswer> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: request.signal,
      redirect: 'manual',
    });
  } catch (err) {
    throw new PartnerFailure(`request to the partner failed: ${(err as Error).message}`);
  }
  const status = response.status;
  const text = await response.text().catch(() => '');
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), semantics.now(), semantics.maxRetryAfterMs);
  if (status >= 200 && status < 300) return { kind: 'delivered', status };
  if (status >= 500) throw new PartnerFailure(`partner answered ${status}`, status, retryAfterMs);
  if (semantics.permanentStatuses.has(status)) return { kind: 'rejected', status, body: text.slice(0, 1024) };
  return { kind: 'throttled', status, retryAfterMs };
}

/** A Retry-After header as milliseconds from `now` (delay-seconds or an HTTP date), capped; undefined when absent or malformed. */
export function parseRetryAfter(value: string | null | undefined, now: number, capMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  let ms: number;
  if (/^\d+$/.test(trimmed)) {ms = Number(trimmed) * 1000;} else {
    const at = Date.parse(trimmed);
    if (Number.isNaN(at)) return undefined;
    ms = at - now;
  }
  return Math.min(Math.max(0, ms), capMs);
}
