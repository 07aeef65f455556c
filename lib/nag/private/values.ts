/**
 * Readers for values of a resolved CloudFormation template. A value a rule needs but cannot know at synth (a
 * parameter, an import, a condition, a pseudo parameter inside a number...) throws {@link NotResolvable}; the rule
 * wrapper turns that into "not applicable", so no rule guesses.
 */

/** Thrown when a value a rule needs is a token that cannot be known from the template. */
export class NotResolvable extends Error {
  constructor(what: string) {
    super(`not resolvable: ${what}`);
    this.name = 'NotResolvable';
  }
}

export type JsonObject = Record<string, unknown>;

/** `{ Ref }`, `{ Fn::... }` or `{ Condition }`: a value CloudFormation computes at deploy time. */
export function isIntrinsic(value: unknown): boolean {
  if (!isPlainObject(value)) return false;
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0] === 'Condition' || keys[0].startsWith('Fn::'));
}

export function isPlainObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A number, a numeric string, or `fallback` when absent. */
export function numberValue(value: unknown, what: string): number | undefined;
export function numberValue(value: unknown, what: string, fallback: number): number;
export function numberValue(value: unknown, what: string, fallback?: number): number | undefined {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new NotResolvable(what);
}

/** A boolean or `"true"`/`"false"` (CloudFormation accepts both), or `fallback` when absent. */
export function booleanValue(value: unknown, what: string, fallback = false): boolean {
  if (value === undefined || value === null) return fallback;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new NotResolvable(what);
}

/** A string, or undefined when absent. */
export function stringValue(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new NotResolvable(what);
}

/**
 * An object, or undefined when absent. Several properties (`RedrivePolicy`, policy documents, filter patterns)
 * accept a JSON string as well as an object; the string is parsed.
 */
export function objectValue(value: unknown, what: string): JsonObject | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(value);
    } catch {
      throw new NotResolvable(`${what} (not JSON)`);
    }
    return objectValue(parsed, what);
  }
  if (isPlainObject(value) && !isIntrinsic(value)) return value;
  throw new NotResolvable(what);
}

/** Intrinsics that always produce one string, so stand for a single item where a list is allowed. */
const SCALAR_INTRINSICS = ['Ref', 'Fn::GetAtt', 'Fn::Join', 'Fn::Sub', 'Fn::ImportValue', 'Fn::Select', 'Fn::Base64'];

/**
 * A list, `[]` when absent; a single value stands for a list of one (as IAM allows). A list-producing intrinsic
 * (`Fn::If`, `Fn::Split`, `Fn::FindInMap`...) is not resolvable.
 */
export function listValue(value: unknown, what: string): unknown[] {
  if (value === undefined || value === null) return [];
  // Array.from fills holes (an override at an index past the end leaves some) with undefined, so checks see them.
  if (Array.isArray(value)) return Array.from(value);
  if (isIntrinsic(value) && !SCALAR_INTRINSICS.includes(Object.keys(value as JsonObject)[0])) throw new NotResolvable(what);
  return [value];
}

/** Looks up `path` in nested objects; absent steps give undefined, an intrinsic on the way is not resolvable. */
export function pathValue(value: unknown, path: string[], what: string): unknown {
  let current = value;
  for (const key of path) {
    if (current === undefined || current === null) return undefined;
    const object = objectValue(current, what);
    current = object?.[key];
  }
  return current;
}

/** `compute()`, or `fallback` when it throws: for building indexes where one odd resource must not hide the rest. */
export function tryOr<T>(compute: () => T, fallback: T): T {
  try {
    return compute();
  } catch {
    return fallback;
  }
}
