/**
 * Runtime of the RateLimitedEgress pattern: a fleet-wide rate limiter in DynamoDB, the partner's HTTP semantics, a
 * batch delivery guarded by the circuit breaker, and the drain controller that pauses and resumes the buffer.
 */
export { AwsRequestError, awsJsonRequest, environmentCredentials, signRequest } from './aws-request';
export type { AwsCredentials, AwsRequestTarget, SignableRequest } from './aws-request';
export { EgressConfigError, resolveEgressConfig } from './config';
export type { EgressConfig, EgressEnvironment } from './config';
export { deliverBatch } from './delivery';
export type { DeadLetterSink, DeliveryLogger, DeliveryOptions } from './delivery';
export { superviseDrain } from './drain-controller';
export type { DrainControllerOptions, DrainControllerReport } from './drain-controller';
export { EventSourceMappingSwitch } from './drain-switch';
export type { DrainSwitch } from './drain-switch';
export { createDeliveryHandler, createDrainController, jsonLogger } from './handlers';
export type { EgressRuntimeOptions, RemainingTime } from './handlers';
export { callPartner, parseRetryAfter, PartnerFailure } from './partner-http';
export type { PartnerAnswer, PartnerRequest, PartnerSemantics } from './partner-http';
export { FleetRateLimiter, SlotDeadlineError, systemLimiterClock } from './rate-limiter';
export type { FleetRateLimiterOptions, LimiterClock, Reservation } from './rate-limiter';
export { LIMITER_TABLE_SHAPE, RATE_LIMITED_EGRESS_DEFAULTS, RATE_LIMITED_EGRESS_ENV } from '../../../lib/rate-limited-egress/contract';
