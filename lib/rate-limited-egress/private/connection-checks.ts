import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { IConstruct } from 'constructs';
import { API_DESTINATIONS } from '../../core/private/limits';
import { Problems, validate } from '../../core/private/validation';

/** Dynamic references CloudFormation resolves at deploy time, so the value never appears in the template. */
const DYNAMIC_REFERENCE = /\{\{resolve:(secretsmanager|ssm-secure):/;

/**
 * Checks the connection as rendered. Fails when a credential (API key value, Basic password, OAuth client secret)
 * would be written into the template as plain text (`SecretValue.unsafePlainText`, a literal): it must come from
 * Secrets Manager (or an SSM SecureString), which CloudFormation resolves at deploy time. Fails on header and query
 * string parameters the EventBridge API would refuse at deployment.
 */
export function checkConnection(scope: IConstruct, connection: events.Connection): void {
  const cfn = connection.node.findAll().find((c): c is events.CfnConnection => c instanceof events.CfnConnection);
  const auth = cfn ? Stack.of(connection).resolve(cfn.authParameters) as Record<string, any> | undefined : undefined;
  const invocation = auth?.invocationHttpParameters ?? auth?.InvocationHttpParameters;
  const secrets: Array<[string, unknown]> = [
    ['API key value', auth?.apiKeyAuthParameters?.apiKeyValue ?? auth?.ApiKeyAuthParameters?.ApiKeyValue],
    ['Basic password', auth?.basicAuthParameters?.password ?? auth?.BasicAuthParameters?.Password],
    ['OAuth client secret', auth?.oAuthParameters?.clientParameters?.clientSecret ?? auth?.OAuthParameters?.ClientParameters?.ClientSecret],
  ];
  validate(scope, (problems) => {
    for (const [what, value] of secrets) {
      if (value === undefined) continue;
      problems.check(
        DYNAMIC_REFERENCE.test(JSON.stringify(value)),
        'RateLimitedEgress.SecretInTemplate',
        `the connection's ${what} would be written into the template in plain text`,
        'take it from Secrets Manager: SecretValue.secretsManager(secretArn, { jsonField }) (or secret.secretValueFromJson(...))',
      );
    }
    checkParameters(problems, 'headerParameters', invocation?.headerParameters, API_DESTINATIONS.headerKeyPattern, API_DESTINATIONS.headerValuePattern);
    checkParameters(problems, 'queryStringParameters', invocation?.queryStringParameters, API_DESTINATIONS.queryKeyPattern, API_DESTINATIONS.queryValuePattern);
  });
}

/** A rendered connection parameter. */
interface RenderedParameter {
  readonly key?: unknown;
  readonly value?: unknown;
  readonly isValueSecret?: unknown;
}

/**
 * Keys and plain values of the connection's header or query string parameters, as rendered: at most 512 characters
 * and the characters the EventBridge API accepts
 * (https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ConnectionHeaderParameter.html,
 * https://docs.aws.amazon.com/eventbridge/latest/APIReference/API_ConnectionQueryStringParameter.html).
 * Secret values are resolved at deploy time and cannot be checked here.
 */
function checkParameters(problems: Problems, name: string, rendered: unknown, keyPattern: RegExp, valuePattern: RegExp): void {
  const { max } = API_DESTINATIONS.connectionParameterLength;
  for (const p of (Array.isArray(rendered) ? rendered : []) as RenderedParameter[]) {
    if (typeof p.key === 'string') {
      problems.check(
        p.key.length >= 1 && p.key.length <= max && keyPattern.test(p.key),
        'RateLimitedEgress.ConnectionParameterKey',
        `${name} key ${JSON.stringify(p.key.slice(0, 40))} is not 1..${max} characters of ${keyPattern}`,
        name === 'headerParameters' ? 'use an HTTP header name (letters, digits and !#$%&\'*+-.^_`|~)' : 'drop control characters and shorten the key',
      );
    }
    if (typeof p.value === 'string' && p.isValueSecret !== true && !DYNAMIC_REFERENCE.test(p.value)) {
      problems.check(
        p.value.length <= max && valuePattern.test(p.value),
        'RateLimitedEgress.ConnectionParameterValue',
        `${name} value of ${JSON.stringify(String(p.key).slice(0, 40))} is empty, longer than ${max} characters, or has characters outside ${valuePattern}`,
        'shorten the value and drop control characters (header values: printable ASCII only); send long data in the body',
      );
    }
  }
}
