/**
 * The RateLimitedEgress drain controller, run every minute: keeps the buffer paused while the partner's circuit is
 * open, sends the single probe when the open period ends, and resumes draining once the circuit closes.
 */
import { createDrainController } from '../runtime/rate-limited-egress/handlers';

export const handler = createDrainController();
