import { Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import { IConstruct } from 'constructs';
import { validate } from '../../core/private/validation';

/** Dynamic references CloudFormation resolves at deploy time, so the value never appears in the template. */
const DYNAMIC_REFERENCE = /\{\{resolve:(secretsmanager|ssm-secure):/;

/**
 * Fails when a connection credential (API key value, Basic password, OAuth client secret) would be written into the
 * template as plain text (`SecretValue.unsafePlainText`, a literal): it must come from Secrets Manager (or an SSM
 * SecureString), which CloudFormation resolves at deploy time.
 */
export function checkSecretsOutOfTemplate(scope: IConstruct, connection: events.Connection): void {
  const cfn = connection.node.findAll().find((c): c is events.CfnConnection => c instanceof events.CfnConnection);
  const auth = cfn ? Stack.of(connection).resolve(cfn.authParameters) as Record<string, any> | undefined : undefined;
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
  });
}
