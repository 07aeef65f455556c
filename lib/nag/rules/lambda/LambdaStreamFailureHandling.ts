import { NagRuleCompliance } from 'cdk-nag';
import { EVENT_SOURCE_MAPPING, EventSourceKind, sourceKind, unboundedStreamSetting } from '../../private/lambda';
import { defineRule, findingsOrCompliant } from '../../private/rule';
import { booleanValue, listValue, numberValue, pathValue } from '../../private/values';

/**
 * A Kinesis or DynamoDB stream event source mapping cannot let one bad record block its shard until the record
 * expires: it splits failing batches (`BisectBatchOnFunctionError`, "split the batch in two and retry": AWS Lambda
 * API reference, "CreateEventSourceMapping", https://docs.aws.amazon.com/lambda/latest/api/API_CreateEventSourceMapping.html)
 * or reports partial batch failures (neither applies to batches of one record, `BatchSize: 1`), bounds its
 * retries (`MaximumRetryAttempts` or `MaximumRecordAgeInSeconds`, both unbounded by default) and sends what it
 * gives up on to an on-failure destination. Findings: `PartialBatch`, `UnboundedRetries`, `OnFailureDestination`.
 */
export const LambdaStreamFailureHandling = defineRule(__filename, [EVENT_SOURCE_MAPPING], (esm, template) => {
  const p = esm.properties;
  const kind = sourceKind(template, p.EventSourceArn, esm);
  if (kind !== EventSourceKind.KINESIS && kind !== EventSourceKind.DYNAMODB_STREAM) return NagRuleCompliance.NOT_APPLICABLE;
  const findings: string[] = [];
  // A batch of one record cannot be split, and its only item is the whole batch: neither setting changes anything.
  const singleRecordBatches = numberValue(p.BatchSize, 'BatchSize') === 1;
  const partialBatch =
    booleanValue(p.BisectBatchOnFunctionError, 'BisectBatchOnFunctionError') ||
    listValue(p.FunctionResponseTypes, 'FunctionResponseTypes').includes('ReportBatchItemFailures');
  if (!partialBatch && !singleRecordBatches) findings.push('PartialBatch');
  if (unboundedStreamSetting(p.MaximumRetryAttempts, 'MaximumRetryAttempts') && unboundedStreamSetting(p.MaximumRecordAgeInSeconds, 'MaximumRecordAgeInSeconds')) {
    findings.push('UnboundedRetries');
  }
  if (pathValue(p, ['DestinationConfig', 'OnFailure', 'Destination'], 'DestinationConfig') === undefined) {
    findings.push('OnFailureDestination');
  }
  return findingsOrCompliant(findings);
});

