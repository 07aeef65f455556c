import { NagRuleCompliance } from 'cdk-nag';
import { defineRule, findingsOrCompliant } from '../../private/rule';
import { AppTemplate, TemplateResource } from '../../private/template';
import { listValue, pathValue } from '../../private/values';

/** The tag EventBridge requires on a customer managed key before it encrypts a connection with it. */
const KEY_TAG = { key: 'EventBridgeApiDestinations', value: 'true' };

/**
 * An EventBridge connection keeps the partner's credentials (API key, Basic password, OAuth client secret) in a
 * Secrets Manager secret that EventBridge creates, encrypted by default with an AWS owned key. A customer managed
 * key (`KmsKeyIdentifier`) is required where the app has made that choice for its other secrets and buses:
 *
 * - `[CustomerManagedKey]`: the app encrypts a Secrets Manager secret (`KmsKeyId`) or an event bus
 *   (`KmsKeyIdentifier`) with a customer managed key, but the connection's credentials stay under an AWS owned key
 *   that the account cannot audit or revoke. An app using no customer managed key for these is compliant.
 * - `[KeyTag]`: the connection names a key of the app that lacks the tag `EventBridgeApiDestinations: true`;
 *   EventBridge uses a customer managed key for a connection only with that tag.
 *
 * Source: EventBridge user guide, "Encrypting EventBridge connection authorization with AWS KMS keys"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/encryption-connections.html). SPC-EVB5 (error).
 */
export const EventBridgeConnectionCustomerManagedKey = defineRule(__filename, ['AWS::Events::Connection'], (connection, template) => {
  if (connection.properties.AuthParameters === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const keyId = connection.properties.KmsKeyIdentifier;
  if (keyId === undefined) return findingsOrCompliant(appUsesCustomerManagedKeys(template) ? ['CustomerManagedKey'] : []);
  const key = template.resourceWithin(keyId, connection, 'AWS::KMS::Key');
  if (!key) return NagRuleCompliance.COMPLIANT;
  const tags = listValue(key.properties.Tags, 'Key Tags');
  const tagged = tags.some((t) => pathValue(t, ['Key'], 'Tag Key') === KEY_TAG.key && String(pathValue(t, ['Value'], 'Tag Value')) === KEY_TAG.value);
  return findingsOrCompliant(tagged ? [] : ['KeyTag']);
});

/** Whether a secret or an event bus of the app is encrypted with a customer managed key. */
function appUsesCustomerManagedKeys(template: AppTemplate): boolean {
  return template.memo('EventBridgeConnectionCustomerManagedKey.appUsesCustomerManagedKeys', () => {
    const secrets = template.ofType('AWS::SecretsManager::Secret').some((s: TemplateResource) => s.properties.KmsKeyId !== undefined);
    const buses = template.ofType('AWS::Events::EventBus').some((b: TemplateResource) => b.properties.KmsKeyIdentifier !== undefined);
    return secrets || buses;
  });
}
