import { Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { KMS } from './limits';
import { SecureQueueProps } from '../secure-queue';

// An AWS managed alias inside a resolved key reference: the whole value ("alias/aws/sqs"), or the end of an alias ARN
// (arn:...:kms:<region>:<account>:alias/aws/sqs), literal or built by Fn::Join.
const MANAGED_ALIAS_IN_JSON = /(?:^"|"|:)(alias\/aws\/[A-Za-z0-9/_-]+)/;

/**
 * The AWS managed alias (e.g. `alias/aws/sqs`) a key stands for, however it reached the app: `kms.Alias.fromAliasName`,
 * `kms.Key.fromKeyArn` with an alias ARN, a queue imported with such a `keyArn`, or `kms.Key.fromLookup` of an
 * `alias/aws/...` name (recognised from the lookup recorded in the app's context). Undefined for a customer managed
 * key or one that cannot be resolved at synth.
 */
export function awsManagedKeyAlias(key: kms.IKey | undefined): string | undefined {
  if (!key) return undefined;
  const alias = (key as Partial<kms.IAlias>).aliasName;
  if (typeof alias === 'string' && !Token.isUnresolved(alias) && alias.startsWith(KMS.awsManagedAliasPrefix)) return alias;
  const stack = Stack.of(key);
  return awsManagedAliasIn(stack, key.keyArn) ?? awsManagedAliasIn(stack, key.keyId) ?? lookedUpManagedAlias(key);
}

/** The AWS managed alias named by a key id, alias name or ARN as written in a template (e.g. `KmsMasterKeyId`). */
export function awsManagedAliasIn(stack: Stack, keyReference: unknown): string | undefined {
  if (keyReference === undefined) return undefined;
  return MANAGED_ALIAS_IN_JSON.exec(JSON.stringify(stack.resolve(keyReference)))?.[1];
}

/**
 * `kms.Key.fromLookup` keeps only the key id it found, but the app's context keeps the lookup (its key names the
 * alias, its value the id): a key whose id was found for an `alias/aws/...` name is that AWS managed key.
 */
function lookedUpManagedAlias(key: kms.IKey): string | undefined {
  if (Token.isUnresolved(key.keyId)) return undefined;
  const context = key.node.getAllContext() as Record<string, unknown>;
  for (const [lookup, found] of Object.entries(context)) {
    const alias = /aliasName=(alias\/aws\/[A-Za-z0-9/_-]+)/.exec(lookup)?.[1];
    if (alias && (found as { keyId?: unknown } | undefined)?.keyId === key.keyId) return alias;
  }
  return undefined;
}

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
