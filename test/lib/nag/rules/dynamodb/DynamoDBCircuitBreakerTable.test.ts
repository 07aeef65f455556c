import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { DynamoDBCircuitBreakerTable as rule } from '../../../../../lib/nag/rules/dynamodb';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

const circuitTable = (s: ReturnType<typeof stack>, id: string, ttl?: string) =>
  new dynamodb.Table(s, id, { partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING }, timeToLiveAttribute: ttl });

test('a table a function reaches through CIRCUIT_BREAKER_TABLE_NAME: TTL and item-only grants', () => {
  const s = stack();
  const good = circuitTable(s, 'Good', 'expiration');
  const caller = fn(s, 'Caller', { environment: { CIRCUIT_BREAKER_TABLE_NAME: good.tableName } });
  caller.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'], resources: [good.tableArn] }));

  const bad = circuitTable(s, 'Bad');
  const scanner = fn(s, 'Scanner', { environment: { CIRCUIT_BREAKER_TABLE_NAME: bad.tableName } });
  bad.grantReadData(scanner);
  expect(findings(rule, s)).toEqual(['SPC-CB1[Grants]  S/Bad/Resource', 'SPC-CB1[TimeToLive]  S/Bad/Resource']);
});

test('a table named for a circuit breaker is recognised; other tables are not applicable', () => {
  const s = stack();
  circuitTable(s, 'PaymentsCircuitBreaker');
  expect(findings(rule, s)).toEqual(['SPC-CB1[TimeToLive]  S/PaymentsCircuitBreaker/Resource']);
  expect(resultOn(rule, circuitTable(s, 'Orders'))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
