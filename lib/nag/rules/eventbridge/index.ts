export { EventBridgeApiDestinationRateLimit } from './EventBridgeApiDestinationRateLimit';
export { EventBridgeApiDestinationTargetFailureHandling } from './EventBridgeApiDestinationTargetFailureHandling';
export { EventBridgeConnectionCustomerManagedKey } from './EventBridgeConnectionCustomerManagedKey';
export { EventBridgePutEventsScoped } from './EventBridgePutEventsScoped';
export { EventBridgeRuleTargetDeadLetter } from './EventBridgeRuleTargetDeadLetter';
export { EventBridgeRuleTargetLimit } from './EventBridgeRuleTargetLimit';
