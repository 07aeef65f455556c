/**
 * JSON ⇄ ONNX tensors, checked against the model's own input metadata before onnxruntime sees anything: onnxruntime
 * ignores unknown inputs, turns non-numbers into NaN or 0, and reports a wrong type without naming the input.
 *
 * An input is either nested arrays (`[[1, 2], [3, 4]]`, the shape is read from the nesting; a bare number is a
 * scalar) or `{ "dims": [2, 2], "data": [1, 2, 3, 4], "type": "float32" }` (flat data; `type` optional, checked when
 * given). Elements: numbers for float and integer types, `"NaN"`, `"Infinity"`, `"-Infinity"` for non-finite floats,
 * `true`/`false` for bool, strings for string tensors. int64 and uint64 elements are decimal strings
 * (`"9007199254740993"`), or numbers when they are safe integers: JSON numbers are doubles, exact only up to 2^53.
 * Outputs use the same form, `{ type, dims, data }`, with int64/uint64 always as decimal strings.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';

/** The element types the handler converts (onnxruntime-node's others, float16 and 4-bit, are refused by name). */
type SupportedType = 'float32' | 'float64' | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64' | 'bool' | 'string';

/** A tensor as JSON. */
export interface JsonTensor {
  readonly type: string;
  readonly dims: number[];
  readonly data: Array<number | string | boolean>;
}

/** A request the model cannot take: every problem found, each naming the input and what was expected. */
export class InvalidInputError extends Error {
  constructor(public readonly problems: string[]) {
    super(problems.length === 1 ? problems[0] : `${problems.length} problems: ${problems.join('; ')}`);
    this.name = 'InvalidInputError';
  }
}

const FLOAT32_MAX = 3.4028234663852886e38;
const NON_FINITE: Record<string, number> = { 'NaN': NaN, 'Infinity': Infinity, '-Infinity': -Infinity };
const INTEGER_RANGES: Record<string, [bigint, bigint]> = {
  int8: [-128n, 127n],
  uint8: [0n, 255n],
  int16: [-32768n, 32767n],
  uint16: [0n, 65535n],
  int32: [-2147483648n, 2147483647n],
  uint32: [0n, 4294967295n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

type Element = number | bigint | boolean | string;
/** Sizes of the dimensions the model names (e.g. `batch`), with the input that fixed each. */
type NamedDims = Map<string, { size: number; input: string }>;

/** Describes an input for error messages: `float32 [batch, 4]`, `?` for a dimension the model leaves unnamed. */
export function describeInput(meta: InferenceSession.ValueMetadata): string {
  if (!meta.isTensor) return 'a non-tensor value';
  return meta.shape.length === 0 ? `${meta.type} scalar` : `${meta.type} [${meta.shape.map((d) => (d === '' ? '?' : d)).join(', ')}]`;
}

/**
 * Dimension names that say only "unknown": exporters write `?` where they mean no name (and the same `?` twice in one
 * input, e.g. height and width, does not mean the two are equal).
 */
const ANONYMOUS_DIMS = new Set(['', '?']);

/**
 * Converts the request's `inputs` into onnxruntime tensors, or throws {@link InvalidInputError} listing every
 * problem: unknown or missing inputs, a type other than the model's, elements that are not of that type or outside
 * its range, dims that do not match the model's (a dimension the model names, e.g. `batch`, must be equal in every
 * input), data whose length is not the product of the dims.
 */
export function decodeInputs(inputs: unknown, metadata: readonly InferenceSession.ValueMetadata[]): Record<string, Tensor> {
  const problems: string[] = [];
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    throw new InvalidInputError([`"inputs" must be an object mapping input names to tensors; the model's inputs are ${metadata.map((m) => `${m.name} (${describeInput(m)})`).join(', ')}`]);
  }
  const given = inputs as Record<string, unknown>;
  const byName = inputsByName(metadata);
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) problems.push(`unknown input "${name}"; the model's inputs are ${[...byName.keys()].join(', ')}`);
  }
  const feeds: Record<string, Tensor> = {};
  const namedDims: NamedDims = new Map();
  for (const meta of metadata) {
    if (!(meta.name in given)) {
      problems.push(`input "${meta.name}" is missing: expected ${describeInput(meta)}`);
      continue;
    }
    const tensor = decodeInput(meta, given[meta.name], namedDims, problems);
    if (tensor) feeds[meta.name] = tensor;
  }
  if (problems.length > 0) throw new InvalidInputError(problems);
  return feeds;
}

/** A session's inputs by name, built once per session (onnxruntime keeps one metadata array per session). */
const INPUTS_BY_NAME = new WeakMap<readonly InferenceSession.ValueMetadata[], Map<string, InferenceSession.ValueMetadata>>();

function inputsByName(metadata: readonly InferenceSession.ValueMetadata[]): Map<string, InferenceSession.ValueMetadata> {
  let byName = INPUTS_BY_NAME.get(metadata);
  if (!byName) INPUTS_BY_NAME.set(metadata, byName = new Map(metadata.map((m) => [m.name, m])));
  return byName;
}

function decodeInput(
  meta: InferenceSession.ValueMetadata, value: unknown, namedDims: NamedDims, problems: string[],
): Tensor | undefined {
  const fail = (what: string) => {
    problems.push(`input "${meta.name}": ${what}`);
    return undefined;
  };
  if (!meta.isTensor) return fail('is not a tensor; the built-in handler serves tensor inputs only');
  const type = meta.type as string;
  if (!(type in FILLERS)) return fail(`element type ${type} is not supported by the built-in handler`);
  const parsed = readTensor(value);
  if (typeof parsed === 'string') return fail(`${parsed}; expected ${describeInput(meta)}`);
  if (parsed.type !== undefined && parsed.type !== type) return fail(`type ${JSON.stringify(parsed.type)} was given, the model expects ${type}`);
  const shapeProblem = checkShape(meta, parsed.dims, namedDims);
  if (shapeProblem) return fail(shapeProblem);
  const size = parsed.dims.reduce((a, b) => a * b, 1);
  if (parsed.data.length !== size) return fail(`dims [${parsed.dims.join(', ')}] hold ${size} elements, data has ${parsed.data.length}`);
  const filled = FILLERS[type as SupportedType](parsed.data);
  if ('invalidAt' in filled) {
    const raw = parsed.data[filled.invalidAt];
    return fail(`element ${filled.invalidAt} is ${JSON.stringify(raw)}: ${expectedFor(type as SupportedType, raw)}`);
  }
  return new Tensor(type as 'float32', filled.data as Float32Array, parsed.dims);
}

/** The request's form of one input, or a description of what is wrong with it. */
function readTensor(value: unknown): { dims: number[]; data: unknown[]; type?: string } | string {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const { dims, data, type } = value as { dims?: unknown; data?: unknown; type?: unknown };
    if (!Array.isArray(data)) return '"data" must be a flat array';
    if (!Array.isArray(dims) || !dims.every((d) => Number.isInteger(d) && d >= 0)) return '"dims" must be an array of non-negative integers';
    if (type !== undefined && typeof type !== 'string') return '"type" must be a string';
    return { dims: dims as number[], data, type: type as string | undefined };
  }
  const dims: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    dims.push(level.length);
    level = level[0];
  }
  const data: unknown[] = [];
  const walk = (node: unknown, depth: number): boolean => {
    if (depth === dims.length) {
      if (Array.isArray(node)) return false;
      data.push(node);
      return true;
    }
    return Array.isArray(node) && node.length === dims[depth] && node.every((child) => walk(child, depth + 1));
  };
  if (!walk(value, 0)) return 'nested arrays are not rectangular';
  return { dims, data };
}

function checkShape(meta: InferenceSession.TensorValueMetadata, dims: number[], namedDims: NamedDims): string | undefined {
  // A dimension of size 0 can abort the whole process inside a model's kernels (measured: a public voice-activity
  // model with batch 0 ends in SIGABRT), and an empty tensor is never a meaningful request: refused before onnxruntime.
  const empty = dims.indexOf(0);
  if (empty >= 0) return `dimension ${empty} is 0: empty tensors are refused (expected ${describeInput(meta)})`;
  // A scalar input (onnxruntime reports its shape as []) takes a rank-0 tensor or, as onnxruntime accepts, a
  // one-element vector; nothing wider.
  if (meta.shape.length === 0) {
    return dims.length === 0 || (dims.length === 1 && dims[0] === 1)
      ? undefined
      : `dims [${dims.join(', ')}] given for a scalar: send a bare number, or dims [] or [1] with one element`;
  }
  if (dims.length !== meta.shape.length) {
    return `dims [${dims.join(', ')}] have rank ${dims.length}, the model expects rank ${meta.shape.length}: ${describeInput(meta)}`;
  }
  for (let axis = 0; axis < dims.length; axis++) {
    const expected = meta.shape[axis];
    if (typeof expected === 'number') {
      if (dims[axis] !== expected) return `dimension ${axis} is ${dims[axis]}, the model expects ${expected}: ${describeInput(meta)}`;
    } else if (!ANONYMOUS_DIMS.has(expected)) {
      const seen = namedDims.get(expected);
      if (seen && seen.size !== dims[axis]) {
        return `dimension ${axis} ("${expected}") is ${dims[axis]}, but "${expected}" is ${seen.size} in input "${seen.input}"`;
      }
      namedDims.set(expected, seen ?? { size: dims[axis], input: meta.name });
    }
  }
  return undefined;
}

/** The tensor's array, or the index of the first element that is not of the type. */
type Filled = { readonly data: ArrayLike<Element> } | { readonly invalidAt: number };
const NOT_FINITE = Symbol('not a non-finite float');
const DECIMAL = /^-?\d+$/;

function nonFinite(raw: unknown): number | typeof NOT_FINITE {
  return typeof raw === 'string' && raw in NON_FINITE ? NON_FINITE[raw] : NOT_FINITE;
}

/*
 * One loop per family of arrays (floats, small integers, 64-bit integers, bool, string), each writing straight into
 * the array onnxruntime takes: a single loop over every typed-array kind makes its element stores megamorphic
 * (measured 3-4× slower on float32 inputs); two or a few kinds per loop stay fast.
 */
/** float32 and float64. */
function fillFloat(Typed: Float32ArrayConstructor | Float64ArrayConstructor, max: number) {
  return (raw: unknown[]): Filled => {
    const data = new Typed(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const value = raw[i];
      if (typeof value === 'number' && Math.abs(value) <= max) {
        data[i] = value;
      } else {
        const special = nonFinite(value);
        if (special === NOT_FINITE) return { invalidAt: i };
        data[i] = special;
      }
    }
    return { data };
  };
}

type SmallIntegerArray =
  | Int8ArrayConstructor | Uint8ArrayConstructor | Int16ArrayConstructor | Uint16ArrayConstructor | Int32ArrayConstructor | Uint32ArrayConstructor;

function integerFiller(type: SupportedType, Typed: SmallIntegerArray) {
  const [low, high] = INTEGER_RANGES[type].map(Number);
  return (raw: unknown[]): Filled => {
    const out = new Typed(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const value = raw[i];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < low || value > high) return { invalidAt: i };
      out[i] = value;
    }
    return { data: out };
  };
}

function bigIntegerFiller(type: 'int64' | 'uint64') {
  const [min, max] = INTEGER_RANGES[type];
  return (raw: unknown[]): Filled => {
    const out = type === 'int64' ? new BigInt64Array(raw.length) : new BigUint64Array(raw.length);
    for (let i = 0; i < raw.length; i++) {
      const value = raw[i];
      let integer: bigint;
      if (typeof value === 'number' && Number.isSafeInteger(value)) integer = BigInt(value);
      // Up to 15 digits a double holds the value exactly, and BigInt(number) is several times faster than parsing.
      else if (typeof value === 'string' && DECIMAL.test(value)) integer = BigInt(value.length <= 15 ? Number(value) : value);
      else return { invalidAt: i };
      if (integer < min || integer > max) return { invalidAt: i };
      out[i] = integer;
    }
    return { data: out };
  };
}

function fillBool(raw: unknown[]): Filled {
  const out = new Uint8Array(raw.length);
  for (let i = 0; i < raw.length; i++) {
    if (typeof raw[i] !== 'boolean') return { invalidAt: i };
    out[i] = raw[i] ? 1 : 0;
  }
  return { data: out };
}

function fillString(raw: unknown[]): Filled {
  const index = raw.findIndex((value) => typeof value !== 'string');
  return index >= 0 ? { invalidAt: index } : { data: raw as string[] };
}

const FILLERS: Record<SupportedType, (raw: unknown[]) => Filled> = {
  float32: fillFloat(Float32Array, FLOAT32_MAX),
  float64: fillFloat(Float64Array, Number.MAX_VALUE),
  int8: integerFiller('int8', Int8Array),
  uint8: integerFiller('uint8', Uint8Array),
  int16: integerFiller('int16', Int16Array),
  uint16: integerFiller('uint16', Uint16Array),
  int32: integerFiller('int32', Int32Array),
  uint32: integerFiller('uint32', Uint32Array),
  int64: bigIntegerFiller('int64'),
  uint64: bigIntegerFiller('uint64'),
  bool: fillBool,
  string: fillString,
};

/** Why `raw` is not an element of `type` (only computed for the error message). */
function expectedFor(type: SupportedType, raw: unknown): string {
  if (type === 'string') return 'expected a string';
  if (type === 'bool') return 'expected true or false';
  if (type === 'float32' || type === 'float64') {
    return typeof raw === 'number' ? 'outside the float32 range' : `expected a ${type} number, or "NaN", "Infinity", "-Infinity"`;
  }
  const wide = type === 'int64' || type === 'uint64';
  if (typeof raw === 'number' && Number.isInteger(raw) && wide && !Number.isSafeInteger(raw)) {
    return `beyond 2^53 a JSON number is not exact: send ${type} values as decimal strings`;
  }
  if ((typeof raw === 'number' && Number.isInteger(raw)) || (wide && typeof raw === 'string' && DECIMAL.test(raw))) {
    const [min, max] = INTEGER_RANGES[type];
    return `outside the ${type} range ${min}..${max}`;
  }
  return `expected ${wide ? 'an integer or a decimal string' : 'an integer'} (${type})`;
}

/** Encodes onnxruntime's outputs as JSON tensors (int64/uint64 as decimal strings, non-finite floats as strings). */
export function encodeOutputs(outputs: InferenceSession.OnnxValueMapType): Record<string, JsonTensor> {
  const encoded: Record<string, JsonTensor> = {};
  for (const [name, value] of Object.entries(outputs)) {
    const tensor = value as Tensor;
    encoded[name] = { type: tensor.type, dims: [...tensor.dims], data: encodeData(tensor.type, tensor.data as ArrayLike<Element>) };
  }
  return encoded;
}

function encodeData(type: string, source: ArrayLike<Element>): Array<number | string | boolean> {
  const data = new Array<number | string | boolean>(source.length);
  for (let i = 0; i < source.length; i++) {
    const value = source[i];
    if (typeof value === 'bigint') data[i] = value.toString();
    else if (type === 'bool') data[i] = Boolean(value);
    else if (typeof value === 'number' && !Number.isFinite(value)) data[i] = Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
    else data[i] = value;
  }
  return data;
}
