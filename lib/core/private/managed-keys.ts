import { Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { KMS } from './limits';

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
