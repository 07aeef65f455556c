export { SQSConsumerAgeAlarm } from './SQSConsumerAgeAlarm';
export { SQSDeadLetterQueueAlarm } from './SQSDeadLetterQueueAlarm';
export { SQSDeadLetterQueueOutlivesSource } from './SQSDeadLetterQueueOutlivesSource';
export { SQSDeadLetterQueuePolicyScopedToSource } from './SQSDeadLetterQueuePolicyScopedToSource';
export { SQSFifoConsistency } from './SQSFifoConsistency';
export { SQSMaxReceiveCountAboveOne } from './SQSMaxReceiveCountAboveOne';
export { SQSServicePrincipalScoped } from './SQSServicePrincipalScoped';
export { SQSVisibilityTimeoutCoversConsumer } from './SQSVisibilityTimeoutCoversConsumer';
