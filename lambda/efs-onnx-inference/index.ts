/**
 * The built-in inference handler: serves the ONNX model the sync function made current on the EFS mount, with
 * onnxruntime-node from the layer the construct assembles. The model starts loading when the module is loaded (the
 * init phase), once per execution environment; requests wait for it and reuse it, and a new version is picked up
 * when the pointer changes.
 *
 * Request (direct invocation, or the JSON body of a function URL request):
 *   { "inputs": { "<name>": <tensor> , ... }, "outputs": ["<name>", ...] }   (outputs optional: all by default)
 * Response:
 *   { "modelVersion": "<version>", "outputs": { "<name>": { "type", "dims", "data" }, ... } }
 * Tensor encoding (int64 as decimal strings and so on): see tensors.ts. Bad input is answered with
 * InvalidInputError (HTTP 400 through a function URL) naming each input and what the model expects.
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

/** Runs one request against the current model. */
export async function infer(store: ModelStore, request: unknown): Promise<InferenceResult> {
  const { session, version } = await store.model();
  if (typeof request !== 'object' || request === null) throw new InvalidInputError(['the request must be a JSON object with "inputs"']);
  const { inputs, outputs } = request as { inputs?: unknown; outputs?: unknown };
  const feeds = decodeInputs(inputs, session.inputMetadata);
  let fetches: string[] | undefined;
  if (outputs !== undefined) {
    const known = session.outputNames;
    if (!Array.isArray(outputs) || outputs.length === 0 || !outputs.every((o) => typeof o === 'string' && known.includes(o))) {
      throw new InvalidInputError([`"outputs" must be a non-empty list of the model's outputs: ${known.join(', ')}`]);
    }
    fetches = outputs as string[];
  }
  const results = fetches ? await session.run(feeds, fetches) : await session.run(feeds);
  return { modelVersion: version, outputs: encodeOutputs(results) };
}

/** The Lambda handler over a store: direct invocations get the result (or throw), function URL requests get HTTP. */
export function createHandler(store: ModelStore) {
  return async (event: unknown): Promise<InferenceResult | HttpResponse> => {
    if (!isFunctionUrlEvent(event)) return infer(store, event);
    let request: unknown;
    try {
      const body = event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64').toString('utf8') : (event.body ?? '');
      request = JSON.parse(body);
    } catch {
      return json(400, { errorType: 'InvalidInputError', errorMessage: 'the request body is not JSON' });
    }
    try {
      return json(200, await infer(store, request));
    } catch (error) {
      if (error instanceof InvalidInputError) return json(400, { errorType: error.name, errorMessage: error.message, problems: error.problems });
      console.error(JSON.stringify({ message: 'inference failed', error: String(error) }));
      return json(500, { errorType: 'InferenceError', errorMessage: 'inference failed; see the function log' });
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
    load: (path) => ort.InferenceSession.create(path),
  });
}

let configured: ReturnType<typeof createHandler> | undefined;
let configurationError: unknown;
try {
  const store = storeFromEnvironment();
  // Start loading during init; a failure here (no version yet) is retried by the first request, which reports it.
  store.model().catch(() => undefined);
  configured = createHandler(store);
} catch (error) {
  configurationError = error;
}

export const handler = async (event: unknown): Promise<InferenceResult | HttpResponse> => {
  if (!configured) throw configurationError;
  return configured(event);
};
