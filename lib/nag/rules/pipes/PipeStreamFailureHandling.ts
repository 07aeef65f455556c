import { NagRuleCompliance } from 'cdk-nag';
import { EventSourceKind, unboundedStreamSetting } from '../../private/lambda';
import { PIPE, pipeSource } from '../../private/pipes';
import { defineRule, findingsOrCompliant } from '../../private/rule';
import { numberValue, pathValue } from '../../private/values';

/**
 * A pipe reading a Kinesis or DynamoDB stream cannot let one record block its shard for the record's lifetime: it
 * has a dead-letter queue, bounded retries (`MaximumRetryAttempts` or `MaximumRecordAgeInSeconds`; both are
 * infinite by default) and splits failing batches (`OnPartialBatchItemFailure: AUTOMATIC_BISECT`, unless batches
 * hold one record). Findings: `DeadLetterConfig`, `UnboundedRetries`, `OnPartialBatchItemFailure`.
 */
export const PipeStreamFailureHandling = defineRule(__filename, [PIPE], (pipe, template) => {
  const { kind, parameters = {} } = pipeSource(template, pipe);
  if (kind !== EventSourceKind.KINESIS && kind !== EventSourceKind.DYNAMODB_STREAM) return NagRuleCompliance.NOT_APPLICABLE;
  const findings: string[] = [];
  if (pathValue(parameters, ['DeadLetterConfig', 'Arn'], 'DeadLetterConfig') === undefined) findings.push('DeadLetterConfig');
  if (
    unboundedStreamSetting(parameters.MaximumRetryAttempts, 'MaximumRetryAttempts') &&
    unboundedStreamSetting(parameters.MaximumRecordAgeInSeconds, 'MaximumRecordAgeInSeconds')
  ) {
    findings.push('UnboundedRetries');
  }
  const singleRecordBatches = numberValue(parameters.BatchSize, 'BatchSize') === 1;
  if (!singleRecordBatches && parameters.OnPartialBatchItemFailure !== 'AUTOMATIC_BISECT') findings.push('OnPartialBatchItemFailure');
  return findingsOrCompliant(findings);
});
