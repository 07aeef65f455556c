import { Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { awsManagedAliasIn, awsManagedKeyAlias } from './managed-keys';
import { SecureQueueProps } from '../secure-queue';

/**
 * The AWS managed alias encrypting the queue a construct will create (`queueProps`) or was given (`queue`, defined in
 * the app or imported with its key). That key's policy cannot be changed, so no service principal (EventBridge, SNS)
 * can be allowed to use it: such a queue silently receives nothing from them. Undefined when the key is not AWS
 * managed (or cannot be told).
 */
export function awsManagedQueueKey(queueProps: SecureQueueProps | undefined, queue: sqs.IQueue | undefined): string | undefined {
  if (queueProps?.encryption === sqs.QueueEncryption.KMS_MANAGED) return 'alias/aws/sqs';
  const fromProps = awsManagedKeyAlias(queueProps?.encryptionKey);
  if (fromProps) return fromProps;
  if (!queue) return undefined;
  if (queue instanceof sqs.Queue) {
    const cfn = queue.node.defaultChild as sqs.CfnQueue;
    return awsManagedAliasIn(Stack.of(queue), cfn.kmsMasterKeyId) ?? awsManagedKeyAlias(queue.encryptionMasterKey);
  }
  return awsManagedKeyAlias(queue.encryptionMasterKey);
}

/** Whether {@link awsManagedQueueKey} finds an AWS managed key. */
export function usesAwsManagedSqsKey(queueProps: SecureQueueProps | undefined, queue: sqs.IQueue | undefined): boolean {
  return awsManagedQueueKey(queueProps, queue) !== undefined;
}
