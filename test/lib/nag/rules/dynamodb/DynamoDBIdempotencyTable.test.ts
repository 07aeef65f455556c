import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { IdempotencyTable } from '../../../../../lib/buffered-consumer';
import { DynamoDBIdempotencyTable as rule } from '../../../../../lib/nag/rules/dynamodb';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

const POWERTOOLS_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];

/** A string-keyed table; `ttl: null` switches TTL off. */
function table(scope: Construct, id: string, { partitionKey = 'id', ttl = 'expiration' as string | null } = {}) {
  return new dynamodb.Table(scope, id, {
    partitionKey: { name: partitionKey, type: dynamodb.AttributeType.STRING },
    timeToLiveAttribute: ttl ?? undefined,
  });
}

test("this library's IdempotencyTable with its grant is compliant; a read-write grant on it is reported", () => {
  const s = stack();
  const idempotency = new IdempotencyTable(s, 'Idempotency');
  idempotency.grantIdempotency(fn(s, 'Consumer'));
  expect(findings(rule, s)).toEqual([]);
  idempotency.table.grantReadWriteData(fn(s, 'Admin'));
  expect(findings(rule, s)).toEqual(['SPC-IDM1[Grants]  S/Idempotency/Table/Resource']);
});

test('a plain table recognised by its environment variable: shape and exact grants', () => {
  const s = stack();
  const t = table(s, 'Records', { ttl: null });
  const consumer = fn(s, 'Consumer', { environment: { IDEMPOTENCY_TABLE_NAME: t.tableName } });
  consumer.addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [t.tableArn] }));
  expect(findings(rule, s)).toEqual(['SPC-IDM1[Grants]  S/Records/Resource', 'SPC-IDM1[TimeToLive]  S/Records/Resource']);
});

test('a table named for idempotency with a custom string key and TTL attribute is accepted (Powertools lets you rename them)', () => {
  const s = stack();
  const t = table(s, 'IdempotencyStore', { partitionKey: 'pk', ttl: 'ttl' });
  fn(s, 'Consumer').addToRolePolicy(new iam.PolicyStatement({ actions: POWERTOOLS_ACTIONS, resources: [t.tableArn] }));
  expect(findings(rule, s)).toEqual([]);
});

test('a numeric partition key, or dynamodb:* on the table and its indexes, is reported', () => {
  const s = stack();
  new dynamodb.Table(s, 'IdempotencyNumeric', { partitionKey: { name: 'id', type: dynamodb.AttributeType.NUMBER }, timeToLiveAttribute: 'expiration' });
  const t = table(s, 'IdempotencyWide');
  fn(s, 'Consumer').addToRolePolicy(new iam.PolicyStatement({ actions: ['dynamodb:*'], resources: [t.tableArn, `${t.tableArn}/index/*`] }));
  expect(findings(rule, s)).toEqual(['SPC-IDM1[Grants]  S/IdempotencyWide/Resource', 'SPC-IDM1[KeySchema]  S/IdempotencyNumeric/Resource']);
});

test('tables not recognised as idempotency stores are not applicable', () => {
  expect(resultOn(rule, table(stack(), 'Orders'))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
