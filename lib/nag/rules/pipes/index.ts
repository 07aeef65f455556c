export { PipeBatchWithinTargetLimit } from './PipeBatchWithinTargetLimit';
export { PipeDynamoDBStreamRemoveFiltered } from './PipeDynamoDBStreamRemoveFiltered';
export { PipeStreamFailureHandling } from './PipeStreamFailureHandling';
