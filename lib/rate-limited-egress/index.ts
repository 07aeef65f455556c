export { EgressDeliveryPath, EgressHttpMethod, RateLimitedEgressProps } from './props';
export { RateLimitedEgress } from './rate-limited-egress';
