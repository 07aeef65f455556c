/**
 * The built-in inference handler: serves the ONNX model the sync function made current on the EFS mount, with
 * onnxruntime-node from the layer the construct assembles. The model is loaded during init, once per execution
 * environment (handler.mts awaits {@link initialise} at the top level); requests reuse it, and a new version is
 * picked up when the pointer changes.
 *
 * Request (direct invocation, or the JSON body of a function URL request):
 *   { "inputs": { "<name>": <tensor> , ... }, "outputs": ["<name>", ...] }   (outputs optional: all by default)
 * Response:
 *   { "modelVersion": "<version>", "outputs": { "<name>": { "type", "dims", "data" }, ... } }
 * Tensor encoding (int64 as decimal strings and so on): see tensors.ts.
 *
 * A request the model cannot take is the caller's mistake, not the function's: it is answered, never thrown, so it
 * does not count as a function error (the Errors metric and alarm keep meaning "the function failed"). Direct
 * invocation answers { "errorType": "InvalidInputError", "errorMessage", "problems": [...] }; a function URL answers
 * HTTP 400 with the same body. Everything else (no model installed, a model that fails on valid input) throws: a
 * function error, HTTP 502 through a function URL.
 */
import * as ort from 'onnxruntime-node';
import { ModelStore } from './model-store';
import { decodeInputs, encodeOutputs, InvalidInputError, JsonTensor } from './tensors';
import { EFS_INFERENCE_DEFAULTS, EFS_INFERENCE_ENV } from '../../lib/efs-inference/contract';

/** The handler's answer. */
export interface InferenceResult {
  readonly modelVersion: string;
  readonly outputs: Record<string, JsonTensor>;
}

/** The parts of a function URL (payload format 2.0) event the handler reads. */
interface FunctionUrlEvent {
  readonly requestContext: { readonly http: { readonly method: string } };
  readonly body?: string;
  readonly isBase64Encoded?: boolean;
}

interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/*
 * onnxruntime prints its own coloured "[E:onnxruntime:...]" lines to stderr for every graph error, and warnings for
 * model quirks at load: the handler reports what matters once, as JSON, so onnxruntime logs only fatal errors. The
 * environment's level is read when the first session is created.
 */
ort.env.logLevel = 'fatal';
const QUIET = { logSeverityLevel: 4 } as const;

/** Runs one request against the current model. */
export async function infer(store: ModelStore, request: unknown): Promise<InferenceResult> {
  const { session, version } = store.fresh() ?? await store.model();
  if (typeof request !== 'object' || request === null) throw new InvalidInputError(['the request must be a JSON object with "inputs"']);
  const { inputs, outputs } = request as { inputs?: unknown; outputs?: unknown };
  const feeds = decodeInputs(inputs, session.inputMetadata);
  let fetches: string[] | undefined;
  if (outputs !== undefined) {
    const known = session.outputNames;
    if (!Array.isArray(outputs) || outputs.length === 0 || !outputs.every((o) => typeof o === 'string')) {
      throw new InvalidInputError([`"outputs" must be a non-empty list of the model's outputs: ${known.join(', ')}`]);
    }
    const unknown = outputs.filter((o) => !known.includes(o));
    if (unknown.length > 0) {
      throw new InvalidInputError([`unknown output${unknown.length > 1 ? 's' : ''} ${unknown.map((o) => `"${o}"`).join(', ')}; the model's outputs are ${known.join(', ')}`]);
    }
    fetches = outputs as string[];
  }
  const results = fetches ? await session.run(feeds, fetches, QUIET) : await session.run(feeds, QUIET);
  return { modelVersion: version, outputs: encodeOutputs(results) };
}

/** The answer to a request the model cannot take. */
export interface InvalidRequestResponse {
  readonly errorType: 'InvalidInputError';
  readonly errorMessage: string;
  readonly problems: string[];
}

function refused(error: InvalidInputError): InvalidRequestResponse {
  console.warn(JSON.stringify({ message: 'request refused', problems: error.problems }));
  return { errorType: 'InvalidInputError', errorMessage: error.message, problems: error.problems };
}

/** A Lambda handler. */
export type InferenceHandler = (event: unknown) => Promise<InferenceResult | InvalidRequestResponse | HttpResponse>;

/**
 * The Lambda handler over a store: direct invocations get the result or the refusal, function URL requests get
 * HTTP 200 or 400; real failures throw.
 */
export function createHandler(store: ModelStore): InferenceHandler {
  return async (event) => {
    if (!isFunctionUrlEvent(event)) {
      try {
        return await infer(store, event);
      } catch (error) {
        if (error instanceof InvalidInputError) return refused(error);
        throw error;
      }
    }
    let request: unknown;
    try {
      const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
      request = JSON.parse(body);
    } catch {
      return json(400, refused(new InvalidInputError(['the request body is not JSON'])));
    }
    try {
      return json(200, await infer(store, request));
    } catch (error) {
      if (error instanceof InvalidInputError) return json(400, refused(error));
      throw error;
    }
  };
}

function isFunctionUrlEvent(event: unknown): event is FunctionUrlEvent {
  return typeof (event as Partial<FunctionUrlEvent>)?.requestContext?.http?.method === 'string';
}

function json(statusCode: number, body: unknown): HttpResponse {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

/** The store configured from the environment the construct sets. */
export function storeFromEnvironment(env: NodeJS.ProcessEnv = process.env): ModelStore {
  const root = env[EFS_INFERENCE_ENV.MODEL_ROOT];
  if (!root) throw new Error(`${EFS_INFERENCE_ENV.MODEL_ROOT} is not set`);
  const interval = Number(env[EFS_INFERENCE_ENV.POINTER_CHECK_INTERVAL_MS] ?? EFS_INFERENCE_DEFAULTS.pointerCheckIntervalMs);
  if (!Number.isFinite(interval) || interval < 0) throw new Error(`${EFS_INFERENCE_ENV.POINTER_CHECK_INTERVAL_MS} must be a number ≥ 0`);
  return new ModelStore({
    root,
    modelFile: env[EFS_INFERENCE_ENV.MODEL_FILE] ?? EFS_INFERENCE_DEFAULTS.modelFile,
    checkIntervalMs: interval,
    load: (path) => ort.InferenceSession.create(path, QUIET),
  });
}

/**
 * The handler, with the model loaded: what init awaits. A model that cannot be loaded yet (no version installed)
 * does not fail init, which would make Lambda retry init on every request: the handler answers each request with the
 * reason, retrying the load. A misconfigured function answers every request with its configuration error.
 */
export async function initialise(env: NodeJS.ProcessEnv = process.env): Promise<InferenceHandler> {
  let store: ModelStore;
  try {
    store = storeFromEnvironment(env);
  } catch (error) {
    console.error(JSON.stringify({ message: 'the function is misconfigured', error: String(error) }));
    return async () => {
      throw error;
    };
  }
  try {
    await store.model();
  } catch (error) {
    console.error(JSON.stringify({ message: 'no model loaded during init; requests retry', error: String(error) }));
  }
  return createHandler(store);
}
