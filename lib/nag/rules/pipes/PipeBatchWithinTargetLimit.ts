import { NagRuleCompliance } from 'cdk-nag';
import { PIPE, pipeSource, PipeTargetKind, pipeTargetKind } from '../../private/pipes';
import { compliantUnless, defineRule } from '../../private/rule';
import { numberValue } from '../../private/values';

/** The largest batch each batching target accepts (EventBridge Pipes "batching and concurrency"). */
const TARGET_BATCH_LIMITS: Partial<Record<PipeTargetKind, number>> = {
  [PipeTargetKind.EVENT_BUS]: 10,
  [PipeTargetKind.SNS_TOPIC]: 10,
  [PipeTargetKind.SQS_QUEUE]: 10,
  [PipeTargetKind.KINESIS_STREAM]: 500,
  [PipeTargetKind.FIREHOSE]: 500,
  [PipeTargetKind.LOG_GROUP]: 10_000,
};

/**
 * A pipe's source batch size fits its target: at most 10 records for an event bus (PutEvents takes 10 entries),
 * an SNS topic or an SQS queue; 500 for Kinesis and Firehose; 10,000 for CloudWatch Logs. Pipes refuses a larger
 * batch when the pipe is created. Not applicable when the batch size is left to the service.
 */
export const PipeBatchWithinTargetLimit = defineRule(__filename, [PIPE], (pipe, template) => {
  const targetKind = pipeTargetKind(template, pipe);
  const limit = targetKind === undefined ? undefined : TARGET_BATCH_LIMITS[targetKind];
  const batchSize = numberValue(pipeSource(template, pipe).parameters?.BatchSize, 'BatchSize');
  if (limit === undefined || batchSize === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  return compliantUnless(batchSize > limit);
});
