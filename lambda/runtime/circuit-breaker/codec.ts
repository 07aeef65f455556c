/**
 * Converts circuit records to and from DynamoDB attribute maps and plain JSON (the extension's wire format).
 * Hand-written rather than lib-dynamodb: a dozen flat attributes do not justify another dependency in every bundle.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CircuitRecord, closedRecord, isCircuitState } from './types';

type Item = Record<string, AttributeValue>;

const NUMBER_FIELDS = [
  'version', 'failureCount', 'windowStart', 'openedAt', 'openUntil', 'consecutiveOpenings', 'probeLeaseUntil',
  'successCount', 'updatedAt', 'expiration',
] as const;

/** The attribute map a record is written as. */
export function recordToItem(record: CircuitRecord): Item {
  const item: Item = { id: { S: record.id }, state: { S: record.state } };
  for (const field of NUMBER_FIELDS) {
    const value = record[field];
    if (value !== undefined) item[field] = { N: String(value) };
  }
  if (record.probeOwner !== undefined) item.probeOwner = { S: record.probeOwner };
  return item;
}

/** The record an attribute map holds; a missing item is a fresh CLOSED circuit. */
export function itemToRecord(id: string, item: Item | undefined): CircuitRecord {
  if (!item) return closedRecord(id);
  const state = item.state?.S;
  const num = (name: string): number | undefined => (item[name]?.N !== undefined ? Number(item[name].N) : undefined);
  return compact({
    id,
    // An item created by a failure increment that raced a delete may lack `state`; it is a CLOSED circuit.
    state: isCircuitState(state) ? state : closedRecord(id).state,
    version: num('version') ?? 0,
    failureCount: num('failureCount') ?? 0,
    windowStart: num('windowStart'),
    openedAt: num('openedAt'),
    openUntil: num('openUntil'),
    consecutiveOpenings: num('consecutiveOpenings') ?? 0,
    probeOwner: item.probeOwner?.S,
    probeLeaseUntil: num('probeLeaseUntil'),
    successCount: num('successCount') ?? 0,
    updatedAt: num('updatedAt'),
    expiration: num('expiration'),
  });
}

/**
 * Validates a record received as JSON (from the extension). Returns undefined for anything malformed, so the
 * caller falls back to DynamoDB instead of trusting it.
 */
export function recordFromJson(id: string, value: unknown): CircuitRecord | undefined {
  if (value === null) return closedRecord(id);
  if (typeof value !== 'object') return undefined;
  const v = value as Record<string, unknown>;
  if (v.id !== id || !isCircuitState(v.state)) return undefined;
  const numbers: Record<string, number | undefined> = {};
  for (const field of NUMBER_FIELDS) {
    const n = v[field];
    if (n !== undefined && (typeof n !== 'number' || !Number.isFinite(n))) return undefined;
    numbers[field] = n as number | undefined;
  }
  if (v.probeOwner !== undefined && typeof v.probeOwner !== 'string') return undefined;
  return compact({
    ...closedRecord(id),
    ...numbers,
    id,
    state: v.state,
    version: numbers.version ?? 0,
    failureCount: numbers.failureCount ?? 0,
    consecutiveOpenings: numbers.consecutiveOpenings ?? 0,
    successCount: numbers.successCount ?? 0,
    probeOwner: v.probeOwner as string | undefined,
  });
}

function compact(record: CircuitRecord): CircuitRecord {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as unknown as CircuitRecord;
}
