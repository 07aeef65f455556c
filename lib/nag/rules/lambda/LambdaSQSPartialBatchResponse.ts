import { NagRuleCompliance } from 'cdk-nag';
import { EVENT_SOURCE_MAPPING, EventSourceKind, sourceKind } from '../../private/lambda';
import { compliantUnless, defineRule } from '../../private/rule';
import { listValue, numberValue } from '../../private/values';

/** Lambda's default batch size for SQS event sources. */
const DEFAULT_SQS_BATCH_SIZE = 10;

/**
 * An SQS event source mapping reports partial batch failures (`FunctionResponseTypes: [ReportBatchItemFailures]`),
 * so one failing message does not return the whole batch to the queue for reprocessing (and, after
 * `maxReceiveCount`, the healthy messages to the DLQ). Not applicable with batch size 1.
 */
export const LambdaSQSPartialBatchResponse = defineRule(__filename, [EVENT_SOURCE_MAPPING], (esm, template) => {
  const p = esm.properties;
  if (sourceKind(template, p.EventSourceArn, esm) !== EventSourceKind.SQS) return NagRuleCompliance.NOT_APPLICABLE;
  if (numberValue(p.BatchSize, 'BatchSize', DEFAULT_SQS_BATCH_SIZE) === 1) return NagRuleCompliance.NOT_APPLICABLE;
  return compliantUnless(!listValue(p.FunctionResponseTypes, 'FunctionResponseTypes').includes('ReportBatchItemFailures'));
});
