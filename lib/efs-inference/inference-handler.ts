import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { EFS_INFERENCE_DEFAULTS, EFS_INFERENCE_ENV } from './contract';
import { assembleOnnxRuntimeLayer, nodeArch, onnxRuntimeLayer, OnnxRuntimeUnavailableError } from './private/onnx-runtime-layer';
import { bundledHandlerCode } from '../core/private/assets';
import { Problems } from '../core/private/validation';

/** Options of the built-in ONNX handler ({@link InferenceHandler.onnx}). */
export interface OnnxHandlerOptions {
  /**
   * Path of the ONNX model inside the model directory. A version without it is refused by the sync (and a local
   * model directory without it fails synth).
   * @default 'model.onnx'
   */
  readonly modelFile?: string;
  /**
   * A layer holding `nodejs/node_modules/onnxruntime-node` (and `onnxruntime-common`) for the function's
   * architecture, instead of the one assembled at synth from the onnxruntime-node installed in your app.
   * @default - assembled from your installed onnxruntime-node, keeping only the Linux binaries of the architecture
   */
  readonly onnxRuntimeLayer?: lambda.ILayerVersion;
}

/** Your own inference code ({@link InferenceHandler.custom}), in any Lambda runtime. */
export interface CustomInferenceHandlerProps {
  /** The function code. */
  readonly code: lambda.Code;
  /** The handler entry point, e.g. `index.handler` or `app.handler`. */
  readonly handler: string;
  /** The runtime, e.g. `lambda.Runtime.PYTHON_3_13`. */
  readonly runtime: lambda.Runtime;
  /**
   * Layers of the function (at most 5; their unzipped size counts toward Lambda's 250 MB but cannot be read at synth).
   * @default - none
   */
  readonly layers?: lambda.ILayerVersion[];
}

/** What a handler gives the construct (not part of the public API). */
export interface BoundInferenceHandler {
  readonly code: lambda.Code;
  readonly handler: string;
  readonly runtime?: lambda.Runtime;
  readonly layers: lambda.ILayerVersion[];
  readonly environment: Record<string, string>;
  /** A file every version must contain. */
  readonly requiredFile?: string;
  /** Unzipped bytes of the code and layers synth can measure, with what they are. */
  readonly measured: Array<{ readonly what: string; readonly bytes: number }>;
}

/**
 * The code of the inference function. It mounts the model's file system read-only at the mount path; the current
 * version is the directory the `current` symbolic link under the mount path points to (resolve it once per load,
 * then read every file from the resolved directory: the link may move to a new version at any time).
 */
export abstract class InferenceHandler {
  /**
   * The built-in Node.js handler: loads the ONNX model with onnxruntime-node once per execution environment
   * (starting at init), reloads when a new version becomes current, and serves any ONNX model, checking inputs by
   * name, element type and shape against the model's own metadata. int64 values travel as decimal strings.
   */
  public static onnx(options: OnnxHandlerOptions = {}): InferenceHandler {
    return new OnnxInferenceHandler(options);
  }

  /** Your own code, in any runtime, with the model's file system mounted read-only. */
  public static custom(props: CustomInferenceHandlerProps): InferenceHandler {
    return new CustomInferenceHandler(props);
  }

  /** @internal */
  public abstract _bind(scope: Construct, architecture: lambda.Architecture, problems: Problems): BoundInferenceHandler | undefined;
}

class OnnxInferenceHandler extends InferenceHandler {
  constructor(private readonly options: OnnxHandlerOptions) {
    super();
  }

  /** @internal */
  public _bind(scope: Construct, architecture: lambda.Architecture, problems: Problems): BoundInferenceHandler | undefined {
    const modelFile = this.options.modelFile ?? EFS_INFERENCE_DEFAULTS.modelFile;
    const code = bundledHandlerCode('efs-onnx-inference');
    const measured = [{ what: 'the built-in handler', bytes: codeBytes(code) ?? 0 }];
    let layer = this.options.onnxRuntimeLayer;
    if (!layer) {
      try {
        const contents = assembleOnnxRuntimeLayer(nodeArch(architecture));
        layer = onnxRuntimeLayer(scope, contents, architecture);
        measured.push({ what: `the onnxruntime-node ${contents.version} layer`, bytes: contents.bytes });
      } catch (error) {
        if (!(error instanceof OnnxRuntimeUnavailableError)) throw error;
        problems.add('EfsModelInference.OnnxRuntime', `the onnxruntime layer cannot be assembled: ${error.message}`, 'install onnxruntime-node in the app, or pass onnxRuntimeLayer');
        return undefined;
      }
    }
    return {
      code,
      handler: 'index.handler',
      layers: [layer],
      environment: { [EFS_INFERENCE_ENV.MODEL_FILE]: modelFile },
      requiredFile: modelFile,
      measured,
    };
  }
}

class CustomInferenceHandler extends InferenceHandler {
  constructor(private readonly props: CustomInferenceHandlerProps) {
    super();
  }

  /** @internal */
  public _bind(): BoundInferenceHandler {
    const bytes = codeBytes(this.props.code);
    return {
      code: this.props.code,
      handler: this.props.handler,
      runtime: this.props.runtime,
      layers: this.props.layers ?? [],
      environment: {},
      measured: bytes === undefined ? [] : [{ what: 'the function code', bytes }],
    };
  }
}

/** Unzipped size of code from a local directory; undefined when synth cannot tell (inline, S3, zip file, image). */
export function codeBytes(code: lambda.Code): number | undefined {
  if (!(code instanceof lambda.AssetCode)) return undefined;
  try {
    return statSync(code.path).isDirectory() ? directoryBytes(code.path) : undefined;
  } catch {
    return undefined;
  }
}

function directoryBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += directoryBytes(path);
    else if (entry.isFile()) total += statSync(path).size;
  }
  return total;
}
