/**
 * Whether a value survives JSON as given. The outbox stores a detail as its JSON text and the target receives
 * `JSON.parse` of it, so whatever JSON.stringify would quietly change must be refused before the transaction commits
 * (a committed event must be published exactly as documented):
 * - refused: NaN and ±Infinity (JSON writes null), undefined, functions and symbols (dropped from objects, null in
 *   arrays), symbol-keyed properties (dropped), BigInt (throws), Map, Set and any other object that is neither a
 *   plain object nor an array nor has `toJSON` (JSON writes its own enumerable properties, `{}` for a Map), cycles;
 * - mapped, as JSON.stringify maps them: a value with `toJSON` is replaced by what `toJSON` returns (a `Date` becomes
 *   its ISO string, a money class whatever it chooses), which is then checked by the same rules; boxed primitives
 *   become their primitive; -0 becomes 0.
 */

/** Every place where JSON would not carry `value` as given, as `path: reason` sentences; empty when it would. */
export function jsonFidelityProblems(value: unknown, path = 'detail'): string[] {
  const problems: string[] = [];
  visit(value, path, '', new Set<object>(), problems);
  return problems;
}

function visit(input: unknown, path: string, key: string, ancestors: Set<object>, problems: string[]): void {
  let value = input;
  if (isObjectLike(value) && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    try {
      value = (value as { toJSON: (key: string) => unknown }).toJSON(key);
    } catch (error) {
      problems.push(`${path}: toJSON threw (${String(error)})`);
      return;
    }
  }
  if (value instanceof Number || value instanceof String || value instanceof Boolean) value = value.valueOf();
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return;
    case 'number':
      if (!Number.isFinite(value)) problems.push(`${path}: ${value} is not a JSON number (JSON would publish null)`);
      return;
    case 'bigint':
      problems.push(`${path}: a BigInt has no JSON form (convert it to a string or a number)`);
      return;
    case 'undefined':
    case 'function':
    case 'symbol':
      problems.push(`${path}: ${typeof value} has no JSON form (JSON would drop it, or write null in an array)`);
      return;
  }
  if (value === null) return;
  const object = value as object;
  if (ancestors.has(object)) {
    problems.push(`${path}: a cycle (JSON cannot carry it)`);
    return;
  }
  if (!Array.isArray(object) && !isPlainObject(object)) {
    const kind = object.constructor?.name ?? 'object';
    problems.push(`${path}: a ${kind} without toJSON (JSON would publish ${kind === 'Map' || kind === 'Set' ? '{}' : 'only its own enumerable properties'})`);
    return;
  }
  ancestors.add(object);
  if (Array.isArray(object)) {
    object.forEach((element, index) => visit(element, `${path}[${index}]`, String(index), ancestors, problems));
  } else {
    if (Object.getOwnPropertySymbols(object).some((symbol) => Object.prototype.propertyIsEnumerable.call(object, symbol))) {
      problems.push(`${path}: symbol-keyed properties (JSON would drop them)`);
    }
    for (const [name, element] of Object.entries(object)) visit(element, `${path}.${name}`, name, ancestors, problems);
  }
  ancestors.delete(object);
}

function isObjectLike(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === null || prototype === Object.prototype;
}
