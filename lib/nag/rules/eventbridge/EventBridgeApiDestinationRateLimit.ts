import { compliantUnless, defineRule } from '../../private/rule';

/**
 * An API destination states `InvocationRateLimitPerSecond`, the rate the partner allows. Unset, EventBridge sends as
 * fast as events arrive, up to the per-destination quota (300 invocations per second by default,
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html): a burst of events becomes a burst of
 * requests, the partner answers 429, and the retries add to the burst. Even when set, the limit is applied on a
 * best-effort basis per destination (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-api-destinations.html),
 * which is why RateLimitedEgress offers a buffered path with a fleet-wide ceiling. SPC-EVB6 (warning).
 */
export const EventBridgeApiDestinationRateLimit = defineRule(__filename, ['AWS::Events::ApiDestination'], (destination) =>
  compliantUnless(destination.properties.InvocationRateLimitPerSecond === undefined),
);
