import { CfnResource } from 'aws-cdk-lib';
import { coversAction, globMatches, identityPolicies, PolicyStatement } from './iam';
import { FUNCTION } from './lambda';
import { AppTemplate, TemplateResource, UNPEEKABLE } from './template';
import { booleanValue, isPlainObject, listValue, objectValue, pathValue, stringValue, tryOr } from './values';

export const TABLE_TYPES = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'];

/** The partition key of a table: attribute name and type (`S`, `N`, `B`). */
export function partitionKeyOf(table: TemplateResource): { name?: string; type?: string } {
  const key = listValue(table.properties.KeySchema, 'KeySchema').find((k) => isPlainObject(k) && k.KeyType === 'HASH');
  const name = isPlainObject(key) ? stringValue(key.AttributeName, 'AttributeName') : undefined;
  const definition = listValue(table.properties.AttributeDefinitions, 'AttributeDefinitions').find(
    (d) => isPlainObject(d) && d.AttributeName === name,
  );
  return { name, type: isPlainObject(definition) ? stringValue(definition.AttributeType, 'AttributeType') : undefined };
}

/** The TTL attribute of a table, undefined when TTL is off. */
export function ttlAttributeOf(table: TemplateResource): string | undefined {
  const spec = objectValue(table.properties.TimeToLiveSpecification, 'TimeToLiveSpecification');
  if (!spec || !booleanValue(spec.Enabled, 'TimeToLiveSpecification.Enabled')) return undefined;
  return stringValue(spec.AttributeName, 'TimeToLiveSpecification.AttributeName') ?? '';
}

/** Names of the function environment variables that hold each table's name or ARN. */
export function environmentNamesFor(template: AppTemplate, table: TemplateResource): string[] {
  const byTable = template.memo('dynamodb:environment-names', () => {
    const map = new Map<TemplateResource, string[]>();
    for (const fn of template.ofType(FUNCTION)) {
      const variables = tryOr(() => objectValue(pathValue(fn.properties, ['Environment', 'Variables'], 'env'), 'env') ?? {}, {});
      for (const [name, value] of Object.entries(variables)) {
        const target = template.resourceAt(value, fn, ...TABLE_TYPES);
        if (target) map.set(target, [...(map.get(target) ?? []), name]);
      }
    }
    return map;
  });
  return byTable.get(table) ?? [];
}

/** Whether a table is identified by a name: its literal `TableName`, or its construct path, matches `pattern`. */
export function tableNamed(table: TemplateResource, pattern: RegExp): boolean {
  const name = tryOr(() => stringValue(table.properties.TableName, 'TableName'), undefined);
  return (name !== undefined && pattern.test(name)) || pattern.test(table.node.node.path);
}

/**
 * Before rendering: whether a table may be identified by a name matching `pattern` ({@link tableNamed} decides once
 * it is rendered), or by a function environment variable whose name matches `variable`. Rules on tables of one
 * purpose use it to leave every other table unrendered.
 */
export function mayBeTableFor(template: AppTemplate, node: CfnResource, pattern: RegExp, variable: RegExp): boolean {
  const name = template.peek(node, 'tableName');
  if (name === UNPEEKABLE || pattern.test(node.node.path) || (typeof name === 'string' && pattern.test(name))) return true;
  const table = template.get(node);
  return table !== undefined && environmentNamesFor(template, table).some((n) => variable.test(n));
}

/** DynamoDB actions a wildcard is tested against, to tell which it grants. */
const DYNAMODB_ACTIONS = [
  'BatchGetItem', 'BatchWriteItem', 'ConditionCheckItem', 'DeleteItem', 'GetItem', 'PutItem', 'Query', 'Scan', 'UpdateItem',
  'PartiQLSelect', 'PartiQLInsert', 'PartiQLUpdate', 'PartiQLDelete', 'DescribeTable', 'UpdateTable', 'DeleteTable',
  'DescribeTimeToLive', 'UpdateTimeToLive', 'CreateBackup', 'RestoreTableFromBackup', 'ExportTableToPointInTime',
  'GetRecords', 'GetShardIterator', 'DescribeStream', 'ListStreams', 'TagResource', 'UntagResource',
].map((a) => `dynamodb:${a}`);

/** What one role may do on a table's items, across all its statements that name the table. */
export interface TableGrant {
  readonly role: TemplateResource;
  /** Which of the expected actions are granted. */
  readonly granted: Set<string>;
  /** Actions granted beyond the expected ones (wildcards expanded over known DynamoDB actions). */
  readonly extra: Set<string>;
}

/**
 * For each role with a grant on `table` (a statement naming its ARN, or an ARN built from it, such as its
 * indexes), which of `expected` (e.g. `dynamodb:GetItem`) it is granted and what else.
 */
export function tableGrants(template: AppTemplate, table: TemplateResource, expected: readonly string[]): TableGrant[] {
  const grants = new Map<TemplateResource, TableGrant>();
  for (const policy of identityPolicies(template)) {
    const naming = policy.statements.filter((s) => s.allow && !s.notResource && s.resources.some((r) => mentionsTable(template, r, s, table)));
    for (const role of naming.length > 0 ? policy.roles : []) {
      const grant = grants.get(role) ?? { role, granted: new Set<string>(), extra: new Set<string>() };
      for (const statement of naming) addActions(grant, statement, expected);
      grants.set(role, grant);
    }
  }
  return [...grants.values()];
}

function addActions(grant: TableGrant, statement: PolicyStatement, expected: readonly string[]): void {
  for (const action of expected) if (coversAction(statement, action)) grant.granted.add(action);
  const isExpected = (action: string) => expected.some((e) => e.toLowerCase() === action.toLowerCase());
  if (statement.notAction) grant.extra.add('NotAction');
  for (const pattern of statement.notAction ? [] : statement.actions) {
    const actions = /[*?]/.test(pattern) ? DYNAMODB_ACTIONS.filter((a) => globMatches(pattern, a)) : [pattern];
    for (const action of actions) if (action.toLowerCase().startsWith('dynamodb:') && !isExpected(action)) grant.extra.add(action);
  }
}

/** Whether a policy resource is the table's ARN, or an ARN joined from it (`<table ARN>/index/*`). */
function mentionsTable(template: AppTemplate, value: unknown, statement: PolicyStatement, table: TemplateResource): boolean {
  const names = (v: unknown) => {
    const denoted = template.denote(v, statement.owner);
    return denoted.kind === 'resource' && denoted.resource === table && denoted.attribute === 'Arn';
  };
  if (names(value)) return true;
  const join = isPlainObject(value) ? value['Fn::Join'] : undefined;
  return Array.isArray(join) && Array.isArray(join[1]) && (join[1] as unknown[]).some(names);
}
