import { NagRuleCompliance } from 'cdk-nag';
import { CIRCUIT_BREAKER_ENV } from '../../../circuit-breaker/contract';
import { defineRule, findingsOrCompliant } from '../../private/rule';
import { environmentNamesFor, mayBeTableFor, TABLE_TYPES, tableGrants, tableNamed, ttlAttributeOf } from '../../private/tables';

/** Item-level actions: all a circuit-breaker client or health checker ever needs. */
const ITEM_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:ConditionCheckItem'];

const CIRCUIT_BREAKER_NAME = /circuit.?breaker/i;
const CIRCUIT_VARIABLE = /CIRCUIT/i;

/**
 * A circuit-breaker table (named by `CircuitBreaker`'s `CIRCUIT_BREAKER_TABLE_NAME` environment variable or any
 * variable containing "CIRCUIT", or by a table name or construct path containing "circuit breaker") expires its
 * items by TTL, and the roles granted access to it get item actions only (no scans, queries, batch or table
 * operations). Findings: `TimeToLive`, `Grants`.
 */
export const DynamoDBCircuitBreakerTable = defineRule(
  __filename,
  TABLE_TYPES,
  (table, template) => {
    const variables = environmentNamesFor(template, table);
    const recognised =
      variables.includes(CIRCUIT_BREAKER_ENV.TABLE_NAME) ||
      variables.some((n) => CIRCUIT_VARIABLE.test(n)) ||
      tableNamed(table, CIRCUIT_BREAKER_NAME);
    if (!recognised) return NagRuleCompliance.NOT_APPLICABLE;
    const findings: string[] = [];
    if (ttlAttributeOf(table) === undefined) findings.push('TimeToLive');
    if (tableGrants(template, table, ITEM_ACTIONS).some((g) => g.extra.size > 0)) findings.push('Grants');
    return findingsOrCompliant(findings);
  },
  // Other tables are left unrendered (CIRCUIT_VARIABLE matches CIRCUIT_BREAKER_ENV.TABLE_NAME).
  (node, template) => mayBeTableFor(template, node, CIRCUIT_BREAKER_NAME, CIRCUIT_VARIABLE),
);
