import * as events from 'aws-cdk-lib/aws-events';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { connection, l1Of } from './api-destination-fixtures';
import { EventBridgeConnectionCustomerManagedKey } from '../../../../../lib/nag/rules/eventbridge';
import { NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn, severityOf } from '../../support/rule-harness';

const cfnOf = (c: events.Connection) => l1Of(c) as events.CfnConnection;

test('an app that keeps no secret or bus under a customer managed key may leave the connection on the AWS owned key', () => {
  const s = stack();
  const c = connection(s, 'Partner');
  new secretsmanager.Secret(s, 'PlainSecret');
  expect(resultOn(EventBridgeConnectionCustomerManagedKey, l1Of(c))).toBe(NagRuleCompliance.COMPLIANT);
});

test('an app that encrypts its secrets or buses with a customer managed key needs one on the connection (SPC-EVB5, error)', () => {
  const s = stack();
  connection(s, 'Partner');
  new secretsmanager.Secret(s, 'Secret', { encryptionKey: new kms.Key(s, 'SecretKey') });
  expect(findings(EventBridgeConnectionCustomerManagedKey, s)).toEqual(['SPC-EVB5[CustomerManagedKey]  S/Partner/Connection']);
  expect(severityOf(EventBridgeConnectionCustomerManagedKey)).toBe('Error');

  const b = stack('B');
  const onBusApp = connection(b, 'Partner');
  new events.CfnEventBus(b, 'Bus', { name: 'orders', kmsKeyIdentifier: new kms.Key(b, 'BusKey').keyArn });
  expect(resultOn(EventBridgeConnectionCustomerManagedKey, l1Of(onBusApp))).toEqual(['CustomerManagedKey']);
});

test('the connection key needs the EventBridgeApiDestinations tag EventBridge requires', () => {
  const s = stack();
  const untagged = connection(s, 'Untagged');
  cfnOf(untagged).kmsKeyIdentifier = new kms.Key(s, 'UntaggedKey').keyArn;
  const tagged = connection(s, 'Tagged');
  const key = new kms.Key(s, 'TaggedKey');
  (key.node.defaultChild as kms.CfnKey).tags.setTag('EventBridgeApiDestinations', 'true');
  cfnOf(tagged).kmsKeyIdentifier = key.keyArn;
  const imported = connection(s, 'Imported');
  cfnOf(imported).kmsKeyIdentifier = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
  expect(resultOn(EventBridgeConnectionCustomerManagedKey, l1Of(untagged))).toEqual(['KeyTag']);
  expect(resultOn(EventBridgeConnectionCustomerManagedKey, l1Of(tagged))).toBe(NagRuleCompliance.COMPLIANT);
  expect(resultOn(EventBridgeConnectionCustomerManagedKey, l1Of(imported))).toBe(NagRuleCompliance.COMPLIANT);
});
