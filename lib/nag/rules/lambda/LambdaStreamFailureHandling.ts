import { NagRuleCompliance } from 'cdk-nag';
import { EVENT_SOURCE_MAPPING, EventSourceKind, sourceKind, unboundedStreamSetting } from '../../private/lambda';
import { defineRule, findingsOrCompliant } from '../../private/rule';
import { booleanValue, listValue, pathValue } from '../../private/values';

/**
 * A Kinesis or DynamoDB stream event source mapping cannot let one bad record block its shard until the record
 * expires: it splits failing batches (`BisectBatchOnFunctionError`) or reports partial batch failures, bounds its
 * retries (`MaximumRetryAttempts` or `MaximumRecordAgeInSeconds`, both unbounded by default) and sends what it
 * gives up on to an on-failure destination. Findings: `PartialBatch`, `UnboundedRetries`, `OnFailureDestination`.
 */
export const LambdaStreamFailureHandling = defineRule(__filename, [EVENT_SOURCE_MAPPING], (esm, template) => {
  const p = esm.properties;
  const kind = sourceKind(template, p.EventSourceArn, esm);
  if (kind !== EventSourceKind.KINESIS && kind !== EventSourceKind.DYNAMODB_STREAM) return NagRuleCompliance.NOT_APPLICABLE;
  const findings: string[] = [];
  const partialBatch =
    booleanValue(p.BisectBatchOnFunctionError, 'BisectBatchOnFunctionError') ||
    listValue(p.FunctionResponseTypes, 'FunctionResponseTypes').includes('ReportBatchItemFailures');
  if (!partialBatch) findings.push('PartialBatch');
  if (unboundedStreamSetting(p.MaximumRetryAttempts, 'MaximumRetryAttempts') && unboundedStreamSetting(p.MaximumRecordAgeInSeconds, 'MaximumRecordAgeInSeconds')) {
    findings.push('UnboundedRetries');
  }
  if (pathValue(p, ['DestinationConfig', 'OnFailure', 'Destination'], 'DestinationConfig') === undefined) {
    findings.push('OnFailureDestination');
  }
  return findingsOrCompliant(findings);
});

