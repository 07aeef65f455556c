import { Stack, Token } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { IConstruct } from 'constructs';
import { Problems, warn } from '../../core/private/validation';
import { OUTBOX_ROW_ATTRIBUTES } from '../contract';
import { OutboxTableAttributes } from '../props';

/** The parts of a CfnTable or CfnGlobalTable the outbox reads (both L1s name them the same). */
interface TableDefinition {
  readonly keySchema?: unknown;
  readonly attributeDefinitions?: unknown;
  readonly streamSpecification?: unknown;
  readonly timeToLiveSpecification?: unknown;
}

const NEW_IMAGE_VIEWS: string[] = [dynamodb.StreamViewType.NEW_IMAGE, dynamodb.StreamViewType.NEW_AND_OLD_IMAGES];

/**
 * Reads and checks a table brought into the outbox. A table defined in the app is inspected: a stream carrying new
 * images (the pipe reads the outbox item from it), string keys (outbox keys are strings) and, unless the outbox
 * captures item changes (`capture`: it writes no outbox items), a TTL attribute (outbox items must expire). An
 * imported table cannot be inspected: it needs a stream ARN and `tableAttributes`, and gets a warning.
 */
export function inspectTable(
  problems: Problems,
  scope: IConstruct,
  table: dynamodb.ITable,
  given: OutboxTableAttributes | undefined,
  capture: boolean,
): OutboxTableAttributes | undefined {
  const definition = definitionOf(table);
  if (!definition) {
    problems.check(table.tableStreamArn !== undefined, 'TransactionalOutbox.ImportedTableWithoutStream',
      `imported table ${table.node.path} has no stream ARN`,
      'import it with Table.fromTableAttributes({ tableStreamArn, ... }) (its stream must carry NEW_IMAGE or NEW_AND_OLD_IMAGES)');
    if (!problems.check(given !== undefined, 'TransactionalOutbox.ImportedTableAttributes',
      `imported table ${table.node.path}: its key and TTL attribute names cannot be read from the app`,
      'pass tableAttributes: { partitionKey, sortKey?, timeToLiveAttribute }')) return undefined;
    if (!problems.check(capture || given!.timeToLiveAttribute !== undefined, 'TransactionalOutbox.ImportedTableTtlAttribute',
      `imported table ${table.node.path}: tableAttributes has no timeToLiveAttribute, but outbox items expire through it`,
      'pass tableAttributes.timeToLiveAttribute (TTL must be enabled on it), or use capture (no outbox items)')) return undefined;
    warn(scope, 'ImportedOutboxTable', `table ${table.node.path} is imported, so its stream view type, key types and TTL ` +
      'cannot be checked: its stream must carry NEW_IMAGE or NEW_AND_OLD_IMAGES, its keys must be strings' +
      (capture ? '' : ` and TTL must be enabled on ${given!.timeToLiveAttribute}`));
    return given;
  }
  problems.check(given === undefined, 'TransactionalOutbox.TableAttributesForAppTable',
    `tableAttributes was given for table ${table.node.path}, which is defined in the app`,
    'drop tableAttributes: the names are read from the table definition');

  const resolve = (value: unknown) => Stack.of(table).resolve(value);
  const stream = resolve(definition.streamSpecification) as { streamViewType?: string } | undefined;
  const view = stream?.streamViewType;
  problems.check(view !== undefined && NEW_IMAGE_VIEWS.includes(view), 'TransactionalOutbox.TableStreamView',
    view === undefined ? `table ${table.node.path} has no stream` : `table ${table.node.path} streams ${view}, without the new image`,
    'give the table dynamoStream (TableV2) or stream (Table): StreamViewType.NEW_IMAGE or NEW_AND_OLD_IMAGES');

  const ttl = resolve(definition.timeToLiveSpecification) as { attributeName?: string; enabled?: boolean } | undefined;
  const ttlAttribute = ttl?.enabled === true && typeof ttl.attributeName === 'string' ? ttl.attributeName : undefined;
  // Only outbox items expire through TTL: with capture there are none (the user's items may still use it).
  problems.check(capture || ttlAttribute !== undefined, 'TransactionalOutbox.TableWithoutTtl',
    `table ${table.node.path} has no TTL attribute: outbox items would never expire`,
    'set timeToLiveAttribute on the table');

  const keys = (resolve(definition.keySchema) ?? []) as { attributeName: string; keyType: string }[];
  const types = new Map(((resolve(definition.attributeDefinitions) ?? []) as { attributeName: string; attributeType: string }[])
    .map((d) => [d.attributeName, d.attributeType]));
  const partitionKey = keys.find((k) => k.keyType === 'HASH')?.attributeName;
  const sortKey = keys.find((k) => k.keyType === 'RANGE')?.attributeName;
  for (const key of [partitionKey, sortKey]) {
    if (key === undefined || Token.isUnresolved(key)) continue;
    problems.check(types.get(key) === 'S', 'TransactionalOutbox.TableKeyType',
      `key ${key} of table ${table.node.path} is of type ${types.get(key) ?? 'unknown'}`,
      'use a table whose partition and sort keys are strings (outbox keys are OUTBOX#<aggregate id>)');
  }
  if (partitionKey === undefined || (!capture && ttlAttribute === undefined)) return undefined;
  return { partitionKey, sortKey, timeToLiveAttribute: ttlAttribute };
}

/** Outbox item attributes must not be mistaken for the table's keys or TTL. */
export function checkAttributeNames(problems: Problems, shape: OutboxTableAttributes): void {
  const reserved = Object.values(OUTBOX_ROW_ATTRIBUTES) as string[];
  for (const name of [shape.partitionKey, shape.sortKey, shape.timeToLiveAttribute]) {
    if (name === undefined) continue;
    problems.check(!reserved.includes(name), 'TransactionalOutbox.ReservedAttributeName',
      `the table uses ${name} as a key or TTL attribute, a name outbox items use for their own attributes`,
      `use a table whose keys and TTL attribute are none of ${reserved.join(', ')}`);
  }
}

function definitionOf(table: dynamodb.ITable): TableDefinition | undefined {
  if (!(table instanceof dynamodb.Table) && !(table instanceof dynamodb.TableV2)) return undefined;
  return table.node.defaultChild as unknown as TableDefinition;
}
