/**
 * The parts of EventBridge Pipes' documented semantics the outbox relies on, for tests that run the pipe's
 * configuration on real stream records. No maintained event-pattern matcher exists on npm (EventBridge's own,
 * event-ruler, is a Java library), so this implements only what the outbox filter uses, following the EventBridge
 * user guide ("Event patterns", "Comparison operators", "Pipes input transformation"), and pipe-semantics.test.ts
 * checks it against the examples given there:
 * - a pattern matches when every field it names matches (AND); a field matches when the event's value equals any of
 *   the listed values or satisfies any listed operator (OR); an event array matches when any element does;
 * - operators: exact value, `prefix`, `exists`;
 * - a JSON path `$.a.b[0]` selects a value; a target's dynamic parameter is the value at its path;
 * - an input template that is a single `<$.path>` is replaced by the value at the path (an object stays an object).
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Whether `event` matches the EventBridge event `pattern`. */
export function matchesPattern(pattern: Record<string, unknown>, event: unknown): boolean {
  return Object.entries(pattern).every(([field, rule]) => {
    const value = isObject(event) ? event[field] : undefined;
    if (Array.isArray(rule)) return rule.some((alternative) => matchesLeaf(alternative, value));
    if (isObject(rule)) return value !== undefined && matchesPattern(rule, value);
    throw new Error(`pattern field ${field}: a pattern leaf must be an array`);
  });
}

function matchesLeaf(rule: unknown, value: unknown): boolean {
  if (isObject(rule)) {
    if ('exists' in rule) return rule.exists === (value !== undefined && !isObject(value));
    if ('prefix' in rule) return anyElement(value, (v) => typeof v === 'string' && v.startsWith(String(rule.prefix)));
    throw new Error(`unsupported operator ${Object.keys(rule).join(', ')}`);
  }
  return anyElement(value, (v) => v === rule);
}

function anyElement(value: unknown, test: (v: unknown) => boolean): boolean {
  if (value === undefined || isObject(value)) return false;
  return Array.isArray(value) ? value.some(test) : test(value);
}

/** The value at a JSON path like `$.dynamodb.NewImage.id.S` or `$.items[0]`; undefined when absent. */
export function valueAtPath(path: string, payload: unknown): unknown {
  if (!path.startsWith('$')) throw new Error(`${path} is not a JSON path`);
  const steps = path.slice(1).match(/\.[^.[\]]+|\[\d+\]/g) ?? [];
  let current: unknown = payload;
  for (const step of steps) {
    if (current === undefined || current === null) return undefined;
    current = step.startsWith('[') ? (current as unknown[])[Number(step.slice(1, -1))] : (current as Record<string, unknown>)[step.slice(1)];
  }
  return current;
}

/** A target parameter: a JSON path is replaced by the value at it, anything else is static. */
export function targetParameter(parameter: string, payload: unknown): unknown {
  return parameter.startsWith('$.') ? valueAtPath(parameter, payload) : parameter;
}

/** The payload a target receives for an input template made of one `<$.path>`. */
export function applyInputTemplate(template: string, payload: unknown): Json {
  const whole = /^<(\$[^>]*)>$/.exec(template);
  if (!whole) throw new Error(`only single-path input templates are modelled, got ${template}`);
  return valueAtPath(whole[1], payload) as Json;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
