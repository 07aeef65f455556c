export { PipeBatchWithinTargetLimit } from './PipeBatchWithinTargetLimit';
export { PipeDynamoDBStreamRemoveFiltered } from './PipeDynamoDBStreamRemoveFiltered';
export { PipeSqsBatchingWindowWithinVisibility } from './PipeSqsBatchingWindowWithinVisibility';
export { PipeStreamFailureHandling } from './PipeStreamFailureHandling';
