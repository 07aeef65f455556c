/**
 * Converts circuit records to and from DynamoDB attribute maps and plain JSON (the extension's wire format).
 * Hand-written rather than lib-dynamodb: a dozen flat attributes do not justify another dependency in every bundle.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { CircuitRecord, closedRecord, isCircuitState, Tally } from './types';
import { CIRCUIT_TABLE } from '../../../lib/circuit-breaker/contract';

type Item = Record<string, AttributeValue>;

const NUMBER_FIELDS = [
  'version', 'windowStart', 'openedAt', 'openUntil', 'consecutiveOpenings', 'probeLeaseUntil', 'successCount', 'updatedAt',
] as const;
const STRING_FIELDS = ['windowId', 'openedBy', 'probeOwner', 'transitionToken', 'announced', 'announcer'] as const;
/** The record's partition key and TTL attribute, named as the construct created the table. */
const KEY = CIRCUIT_TABLE.partitionKey;
const TTL = CIRCUIT_TABLE.timeToLiveAttribute;

/** Attribute names of one tally inside the `tallies` map (short: the map holds one entry per environment). */
export const TALLY_CALLS = 'c';
export const TALLY_FAILURES = 'f';

/** A tally as a DynamoDB map value. */
export function tallyToAttribute(tally: Tally): AttributeValue {
  return { M: { [TALLY_CALLS]: { N: String(tally.calls) }, [TALLY_FAILURES]: { N: String(tally.failures) } } };
}

/** The attribute map a record is written as. */
export function recordToItem(record: CircuitRecord): Item {
  const item: Item = { [KEY]: { S: record.id }, state: { S: record.state } };
  if (record.expiration !== undefined) item[TTL] = { N: String(record.expiration) };
  if (record.transitionFrom !== undefined) item.transitionFrom = { S: record.transitionFrom };
  for (const field of NUMBER_FIELDS) {
    const value = record[field];
    if (value !== undefined) item[field] = { N: String(value) };
  }
  for (const field of STRING_FIELDS) {
    const value = record[field];
    if (value !== undefined) item[field] = { S: value };
  }
  if (record.tallies !== undefined) {
    item.tallies = { M: Object.fromEntries(Object.entries(record.tallies).map(([k, t]) => [k, tallyToAttribute(t)])) };
  }
  return item;
}

/** The record an attribute map holds; a missing item is a fresh CLOSED circuit. */
export function itemToRecord(id: string, item: Item | undefined): CircuitRecord {
  if (!item) return closedRecord(id);
  const state = item.state?.S;
  const num = (name: string): number | undefined => (item[name]?.N !== undefined ? Number(item[name].N) : undefined);
  const strings = Object.fromEntries(STRING_FIELDS.map((f) => [f, item[f]?.S]));
  const tallies = item.tallies?.M;
  return compact({
    id,
    // An item created by a counting write that raced a delete may lack `state`; it is a CLOSED circuit.
    state: isCircuitState(state) ? state : closedRecord(id).state,
    version: num('version') ?? 0,
    windowStart: num('windowStart'),
    openedAt: num('openedAt'),
    openUntil: num('openUntil'),
    consecutiveOpenings: num('consecutiveOpenings') ?? 0,
    probeLeaseUntil: num('probeLeaseUntil'),
    successCount: num('successCount') ?? 0,
    updatedAt: num('updatedAt'),
    expiration: num(TTL),
    transitionFrom: isCircuitState(item.transitionFrom?.S) ? item.transitionFrom.S : undefined,
    ...strings,
    tallies: tallies === undefined ? undefined : Object.fromEntries(Object.entries(tallies).map(([k, v]) => [k, {
      calls: Number(v.M?.[TALLY_CALLS]?.N ?? 0),
      failures: Number(v.M?.[TALLY_FAILURES]?.N ?? 0),
    }])),
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
    if (n !== undefined && !isCount(n)) return undefined;
    numbers[field] = n as number | undefined;
  }
  const strings: Record<string, string | undefined> = {};
  for (const field of STRING_FIELDS) {
    if (v[field] !== undefined && typeof v[field] !== 'string') return undefined;
    strings[field] = v[field] as string | undefined;
  }
  const tallies = talliesFromJson(v.tallies);
  if (tallies === null) return undefined;
  if (v.expiration !== undefined && !isCount(v.expiration)) return undefined;
  if (v.transitionFrom !== undefined && !isCircuitState(v.transitionFrom)) return undefined;
  return compact({
    ...closedRecord(id),
    ...numbers,
    ...strings,
    id,
    state: v.state,
    version: numbers.version ?? 0,
    consecutiveOpenings: numbers.consecutiveOpenings ?? 0,
    successCount: numbers.successCount ?? 0,
    expiration: v.expiration as number | undefined,
    transitionFrom: v.transitionFrom as CircuitRecord['transitionFrom'],
    tallies,
  });
}

/** The tallies map, undefined when absent, null when malformed. */
function talliesFromJson(value: unknown): Record<string, Tally> | undefined | null {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null) return null;
  const out: Record<string, Tally> = {};
  for (const [key, t] of Object.entries(value as Record<string, unknown>)) {
    const { calls, failures } = (t ?? {}) as Record<string, unknown>;
    if (!isCount(calls) || !isCount(failures)) return null;
    out[key] = { calls, failures };
  }
  return out;
}

function isCount(n: unknown): n is number {
  return typeof n === 'number' && Number.isFinite(n);
}

function compact(record: CircuitRecord): CircuitRecord {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as unknown as CircuitRecord;
}
