/**
 * The checks the writer runs on a whole transaction before sending it: DynamoDB's action count, item and transaction
 * size limits, and its rule that one transaction may not touch one item twice. Each failed check is reported as a
 * sentence naming the action; the writer throws them all at once.
 */
import type { AttributeValue, TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { itemBytes } from './sizes';
import { OUTBOX_LIMITS } from '../../../lib/transactional-outbox/contract';

/** Key attribute names per table name, for tables the transaction writes besides the outbox table. */
export type TableKeys = Readonly<Record<string, readonly string[]>>;

/** Problems with the transaction as a whole; empty when DynamoDB would accept its shape. */
export function transactionProblems(items: readonly TransactWriteItem[], tableKeys: TableKeys): string[] {
  const problems: string[] = [];
  if (items.length === 0) problems.push('the transaction has no actions');
  if (items.length > OUTBOX_LIMITS.maxTransactionActions) {
    problems.push(`the transaction has ${items.length} actions (business writes plus one per event); DynamoDB allows ` +
      `${OUTBOX_LIMITS.maxTransactionActions}`);
  }
  let total = 0;
  const seen = new Map<string, number>();
  items.forEach((item, index) => {
    const action = describeAction(item);
    if (!action) {
      problems.push(`action ${index} is none of Put, Update, Delete, ConditionCheck`);
      return;
    }
    const bytes = actionBytes(item);
    total += bytes;
    if (item.Put && bytes > OUTBOX_LIMITS.maxItemBytes) {
      problems.push(`action ${index} (Put on ${action.table}) writes an item of ${bytes} bytes; DynamoDB allows ${OUTBOX_LIMITS.maxItemBytes}`);
    }
    const key = keyOf(item, action.table, tableKeys);
    if (key === undefined) {
      problems.push(`action ${index} (Put on ${action.table}): the key attributes of table ${action.table} are unknown, so ` +
        'a second action on the same item cannot be ruled out; pass tableKeys: { [tableName]: [key attribute names] }');
      return;
    }
    const identity = `${action.table}\u0000${key}`;
    const first = seen.get(identity);
    if (first !== undefined) {
      problems.push(`actions ${first} and ${index} both act on one item of ${action.table} (${key}); DynamoDB refuses ` +
        'two actions on one item in a transaction');
    } else {
      seen.set(identity, index);
    }
  });
  if (total > OUTBOX_LIMITS.maxTransactionBytes) {
    problems.push(`the transaction carries ${total} bytes of items; DynamoDB allows ${OUTBOX_LIMITS.maxTransactionBytes}`);
  }
  return problems;
}

/**
 * What an action carries: the item for a Put; the key and expression values otherwise. For Update this is a lower
 * bound of the item it produces (DynamoDB checks the result itself).
 */
export function actionBytes(item: TransactWriteItem): number {
  if (item.Put) return itemBytes(item.Put.Item ?? {});
  const action = item.Update ?? item.Delete ?? item.ConditionCheck;
  if (!action) return 0;
  return itemBytes(action.Key ?? {}) + itemBytes(action.ExpressionAttributeValues ?? {});
}

function describeAction(item: TransactWriteItem): { table: string } | undefined {
  const action = item.Put ?? item.Update ?? item.Delete ?? item.ConditionCheck;
  return action ? { table: action.TableName ?? '(no table name)' } : undefined;
}

/** A canonical text of the item's key, or undefined for a Put on a table whose key attributes are unknown. */
function keyOf(item: TransactWriteItem, table: string, tableKeys: TableKeys): string | undefined {
  let key: Record<string, AttributeValue> | undefined;
  if (item.Put) {
    const names = tableKeys[table];
    if (!names) return undefined;
    key = Object.fromEntries(names.map((name) => [name, item.Put!.Item?.[name] ?? { NULL: true }]));
  } else {
    key = (item.Update ?? item.Delete ?? item.ConditionCheck)?.Key ?? {};
  }
  return JSON.stringify(Object.keys(key).sort().map((name) => [name, canonical(key[name])]));
}

function canonical(value: AttributeValue): unknown {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  return value;
}
