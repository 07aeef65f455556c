import { CfnResource, SecretValue } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { Construct } from 'constructs';

/** A connection with an API key taken from Secrets Manager. */
export function connection(scope: Construct, id: string): events.Connection {
  return new events.Connection(scope, id, {
    authorization: events.Authorization.apiKey('x-api-key', SecretValue.secretsManager('partner/api-key')),
  });
}

/** An API destination to a partner endpoint, over `connection` (or a new one). */
export function apiDestination(scope: Construct, id: string, props: Partial<events.ApiDestinationProps> = {}): events.ApiDestination {
  return new events.ApiDestination(scope, id, {
    connection: props.connection ?? connection(scope, `${id}Connection`),
    endpoint: 'https://partner.example.com/webhooks',
    ...props,
  });
}

/** The L1 resource of a connection or API destination (their L2s have no default child). */
export function l1Of(construct: Construct): CfnResource {
  const found = construct.node.findAll().find((c): c is CfnResource => CfnResource.isCfnResource(c));
  if (!found) throw new Error(`${construct.node.path} has no L1 resource`);
  return found;
}
