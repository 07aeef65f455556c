/**
 * The RateLimitedEgress delivery function: drains the buffer, one fleet-wide send slot per request, guarded by the
 * partner's circuit breaker (see the runtime helper). Assembled once per execution environment.
 */
import { createDeliveryHandler } from '../runtime/rate-limited-egress/handlers';

export const handler = createDeliveryHandler();
