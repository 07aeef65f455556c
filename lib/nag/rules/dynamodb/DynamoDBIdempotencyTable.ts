import { NagRuleCompliance } from 'cdk-nag';
import { IDEMPOTENCY_TABLE_MARKER, IDEMPOTENCY_TABLE_SHAPE } from '../../../buffered-consumer/contract';
import { hasMarker } from '../../private/markers';
import { defineRule, findingsOrCompliant } from '../../private/rule';
import { environmentNamesFor, mayBeTableFor, partitionKeyOf, TABLE_TYPES, tableGrants, tableNamed, ttlAttributeOf } from '../../private/tables';

/** What Powertools idempotency calls on its table, and nothing else it needs. */
const IDEMPOTENCY_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'];
const IDEMPOTENCY_NAME = /idempoten/i;

/**
 * An idempotency table (marked by `IdempotencyTable`, or recognised by a function environment variable, table
 * name or construct path containing "idempotency") has the shape Powertools idempotency uses: a string partition
 * key (`id` for marked tables, Powertools' default) and TTL enabled (on `expiration` for marked tables), so
 * records expire; and every role granted access to it gets exactly GetItem, PutItem, UpdateItem and DeleteItem (no
 * scans, queries or batch calls; none of the four missing, or duplicates fail at runtime).
 * Findings: `KeySchema`, `TimeToLive`, `Grants`.
 */
export const DynamoDBIdempotencyTable = defineRule(
  __filename,
  TABLE_TYPES,
  (table, template) => {
    const marked = hasMarker(table.node, IDEMPOTENCY_TABLE_MARKER);
    const recognised =
    marked || tableNamed(table, IDEMPOTENCY_NAME) || environmentNamesFor(template, table).some((n) => IDEMPOTENCY_NAME.test(n));
    if (!recognised) return NagRuleCompliance.NOT_APPLICABLE;
    const findings: string[] = [];
    const key = partitionKeyOf(table);
    if (key.type !== 'S' || (marked && key.name !== IDEMPOTENCY_TABLE_SHAPE.partitionKey)) findings.push('KeySchema');
    const ttl = ttlAttributeOf(table);
    if (ttl === undefined || (marked && ttl !== IDEMPOTENCY_TABLE_SHAPE.timeToLiveAttribute)) findings.push('TimeToLive');
    const grants = tableGrants(template, table, IDEMPOTENCY_ACTIONS);
    if (grants.some((g) => g.extra.size > 0 || g.granted.size < IDEMPOTENCY_ACTIONS.length)) findings.push('Grants');
    return findingsOrCompliant(findings);
  },
  // Other tables are left unrendered.
  (node, template) => hasMarker(node, IDEMPOTENCY_TABLE_MARKER) || mayBeTableFor(template, node, IDEMPOTENCY_NAME, IDEMPOTENCY_NAME),
);
