/**
 * Sample function of the CircuitBreaker pattern: fetches a price quote from an unreliable downstream service,
 * guarded by the `quotes-api` circuit. While the circuit is OPEN it answers from a fallback at once instead of
 * waiting on a failing dependency.
 *
 * Environment: `QUOTES_URL` (required) plus the CIRCUIT_BREAKER_* variables the construct sets.
 */
import { CircuitBreaker } from '../runtime/circuit-breaker';

interface QuoteRequest {
  readonly productId: string;
}

/** What the function answers; `source` tells the caller whether the quote is live. */
export interface QuoteResponse {
  readonly productId: string;
  readonly price?: number;
  readonly source: 'live' | 'unavailable';
}

const quotesUrl = process.env.QUOTES_URL;
if (!quotesUrl) throw new Error('QUOTES_URL is not set');
// One breaker per execution environment: settings come from the environment the construct set.
const breaker = new CircuitBreaker();

export async function handler(event: QuoteRequest): Promise<QuoteResponse> {
  if (!event?.productId) throw new Error('productId is required');
  return breaker.call<QuoteResponse>(
    async ({ signal }) => {
      const response = await fetch(`${quotesUrl}/quotes/${encodeURIComponent(event.productId)}`, { signal });
      if (!response.ok) throw new Error(`quotes service answered ${response.status}`);
      const body = (await response.json()) as { price: number };
      return { productId: event.productId, price: body.price, source: 'live' as const };
    },
    { fallback: () => ({ productId: event.productId, source: 'unavailable' as const }) },
  );
}
