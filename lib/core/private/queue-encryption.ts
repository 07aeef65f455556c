import * as sqs from 'aws-cdk-lib/aws-sqs';
import { SecureQueueProps } from '../secure-queue';

/**
 * Whether the queue a construct will create (`queueProps`) or was given (`queue`, when defined in the app) is
 * encrypted with the AWS managed key alias/aws/sqs. That key's policy cannot be changed, so no service principal
 * (EventBridge, SNS) can be allowed to use it: such a queue silently receives nothing from them.
 */
export function usesAwsManagedSqsKey(queueProps: SecureQueueProps | undefined, queue: sqs.IQueue | undefined): boolean {
  return queueProps?.encryption === sqs.QueueEncryption.KMS_MANAGED ||
    (queue instanceof sqs.Queue && queue.encryptionType === sqs.QueueEncryption.KMS_MANAGED);
}
