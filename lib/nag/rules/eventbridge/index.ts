export { EventBridgePutEventsScoped } from './EventBridgePutEventsScoped';
export { EventBridgeRuleTargetDeadLetter } from './EventBridgeRuleTargetDeadLetter';
export { EventBridgeRuleTargetLimit } from './EventBridgeRuleTargetLimit';
