import { NagRuleCompliance } from 'cdk-nag';
import { eventSourceMappingsOf, QUEUE, redrivePolicyOf } from '../../private/messaging';
import { pipesReading } from '../../private/pipes';
import { compliantUnless, defineRule } from '../../private/rule';

/**
 * A queue that a consumer of the app reads (a Lambda event source mapping, or an EventBridge pipe with the queue as
 * its source) has a dead-letter queue (`RedrivePolicy`). Without one, a message its consumer keeps failing on is
 * received again and again until the queue's retention period ends, and then deleted: a poison message costs an
 * invocation per visibility timeout and is lost without a trace. Neither consumer has a dead-letter setting of its
 * own for SQS: Lambda's on-failure destinations do not apply to SQS sources, and a pipe's SQS source parameters
 * have none, so the queue's redrive policy is the only one. Sources: Amazon SQS developer guide, "Using
 * dead-letter queues in Amazon SQS"
 * (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html);
 * EventBridge user guide, "Amazon Simple Queue Service as a source"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html). Not applicable to queues nothing
 * in the app reads (cdk-nag's AwsSolutions-SQS3 reports every queue without a dead-letter queue).
 */
export const SQSConsumedQueueDeadLetter = defineRule(__filename, [QUEUE], (queue, template) => {
  const consumed = eventSourceMappingsOf(template, queue).length > 0 || pipesReading(template, queue).length > 0;
  if (!consumed) return NagRuleCompliance.NOT_APPLICABLE;
  return compliantUnless(redrivePolicyOf(queue)?.deadLetterTargetArn === undefined);
});
