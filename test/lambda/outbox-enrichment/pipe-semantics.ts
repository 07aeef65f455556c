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
 * - implicit body parsing of SQS bodies and the input template rules of "Pipes input transformation" (below): only a
 *   JSON object template with paths as values delivers an object; a single `<$.path>` to an object does not.
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

/**
 * Implicit body data parsing ("Amazon EventBridge Pipes input transformation", section "Implicit body data parsing",
 * https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-input-transformation.html): for filtering and
 * input transformation an SQS record's JSON-escaped `body` is turned into JSON, so `$.body.someKey` resolves.
 * A body that is not valid JSON stays a string (SQS bodies are the one source field that is not base64-encoded).
 */
export function implicitlyParsed(payload: unknown): unknown {
  if (!isObject(payload) || typeof payload.body !== 'string') return payload;
  try {
    return { ...payload, body: JSON.parse(payload.body) };
  } catch {
    return payload;
  }
}

/** A target parameter: a JSON path is replaced by the value at it (after implicit body parsing), anything else is static. */
export function targetParameter(parameter: string, payload: unknown): unknown {
  return parameter.startsWith('$.') ? valueAtPath(parameter, implicitlyParsed(payload)) : parameter;
}

/**
 * What the target receives for an input template, as the same guide page specifies it:
 * - a template that is a JSON object with `<$.path>` placeholders as values: a string value is quoted for you, an
 *   object or array is placed as JSON ("EventBridge Pipes does not add quotes to variables that represent JSON objects
 *   or arrays"), and a path that does not exist in the event is not created and does not appear in the output;
 * - any other template (free text, or a single `<$.path>`): text in which an object or array value has its internal
 *   quotes removed ("If a JSON path references a JSON object or array, but the variable is referenced in a string,
 *   EventBridge removes any internal quotes"; `<$.body>` on the SQS body `{"key": "value"}` delivers
 *   `"{key: value}"`). The guide's fix is to "place it as a key": `{"body": <$.body>}`.
 * A JSON template whose output is not valid JSON fails delivery; the model throws.
 */
export function applyInputTemplate(template: string, payload: unknown): Json {
  const parsed = implicitlyParsed(payload);
  if (template.trim().startsWith('{')) return jsonTemplate(template, parsed);
  return template.replace(PLACEHOLDER, (_match, path: string) => inString(valueAtPath(path, parsed)));
}

const PLACEHOLDER = /<(\$[^>]*)>/g;

function jsonTemplate(template: string, payload: unknown): Json {
  // A member whose value is a lone placeholder: `"key": <$.path>` (quoted or not).
  const member = /("(?:[^"\\]|\\.)*"\s*:\s*)("?)<(\$[^>]*)>\2(\s*,?)/g;
  let output = template.replace(member, (_all, key: string, quote: string, path: string, comma: string) => {
    const value = valueAtPath(path, payload);
    if (value === undefined) return '';
    if (typeof value === 'string') return `${key}${JSON.stringify(value)}${comma}`;
    // Inside quotes an object or array is a string with its quotes removed; bare, it is placed as JSON.
    return quote ? `${key}${JSON.stringify(inString(value))}${comma}` : `${key}${JSON.stringify(value)}${comma}`;
  });
  if (PLACEHOLDER.test(output)) {
    PLACEHOLDER.lastIndex = 0;
    // Placeholders inside longer strings: text substitution, no escaping.
    output = output.replace(PLACEHOLDER, (_match, path: string) => inString(valueAtPath(path, payload)));
  }
  // A member dropped before the closing brace leaves a dangling comma.
  output = output.replace(/,(\s*})/g, '$1');
  try {
    return JSON.parse(output) as Json;
  } catch (error) {
    throw new Error(`input template ${template} produced invalid JSON, which fails delivery: ${output} (${String(error)})`);
  }
}

/** A value as it appears inside a string: strings as they are, objects and arrays without their internal quotes. */
function inString(value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value).replace(/"/g, '');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
