/**
 * Installs a model version on the EFS mount and makes it current. Invoked by CloudFormation (the custom resource the
 * stack waits on at every deploy that changes the model) and, for an S3 source, by the bucket's notification when a
 * new manifest is uploaded. Runs with reserved concurrency 1, so syncs never overlap.
 */
import { S3Client } from '@aws-sdk/client-s3';
import type { Context, S3Event } from 'aws-lambda';
import { CustomResourceEvent, isCustomResourceEvent, sendResponse } from './cfn-response';
import { currentVersion, installVersion } from './install';
import { ModelVersionRejectedError } from './manifest';
import { S3ModelFiles } from './s3-files';
import {
  EFS_INFERENCE_DEFAULTS, EFS_INFERENCE_ENV, MODEL_LAYOUT, MODEL_SYNC_ATTRIBUTES, ModelFile, ModelSyncRequest, ModelSyncResult,
} from '../../lib/efs-inference/contract';

/** Where the function installs and what it reads from. */
export interface SyncSettings {
  readonly modelRoot: string;
  readonly retainedVersions: number;
  readonly requiredFile?: string;
  /** The S3 source whose manifest uploads this function acts on. */
  readonly sourceBucket?: string;
  readonly sourcePrefix?: string;
}

/** Time kept back from the function's timeout to report a sync that did not finish. */
const REPORT_MARGIN_MS = 10_000;

export function settingsFromEnvironment(env: NodeJS.ProcessEnv = process.env): SyncSettings {
  const modelRoot = env[EFS_INFERENCE_ENV.MODEL_ROOT];
  if (!modelRoot) throw new Error(`${EFS_INFERENCE_ENV.MODEL_ROOT} is not set`);
  const retained = Number(env[EFS_INFERENCE_ENV.RETAINED_VERSIONS] ?? EFS_INFERENCE_DEFAULTS.retainedVersions);
  if (!Number.isInteger(retained) || retained < 1) throw new Error(`${EFS_INFERENCE_ENV.RETAINED_VERSIONS} must be a positive integer`);
  return {
    modelRoot,
    retainedVersions: retained,
    requiredFile: env[EFS_INFERENCE_ENV.MODEL_FILE] || undefined,
    sourceBucket: env[EFS_INFERENCE_ENV.SOURCE_BUCKET] || undefined,
    sourcePrefix: env[EFS_INFERENCE_ENV.SOURCE_PREFIX] ?? '',
  };
}

/** The handler with its dependencies given (tests pass local stand-ins). */
export function createHandler(settings: SyncSettings, files: S3ModelFiles) {
  const sync = async (request: ModelSyncRequest): Promise<ModelSyncResult> => {
    const versionFiles: ModelFile[] = request.kind === 'files' ? request.files : await files.manifest(request.bucket, request.prefix);
    const result = await installVersion(settings.modelRoot, versionFiles, {
      retainedVersions: settings.retainedVersions,
      openFile: files.open,
      requiredFile: settings.requiredFile,
    });
    console.info(JSON.stringify({ message: 'model version is current', ...result }));
    return result;
  };

  const onCustomResource = async (event: CustomResourceEvent, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<void> => {
    // A stable id: a new version is an update of the same resource, never a replacement (whose delete would come later).
    const physicalResourceId = event.PhysicalResourceId ?? `efs-model:${settings.modelRoot}`;
    if (event.RequestType === 'Delete') {
      // The files go with the file system; deleting them here would break a rollback to this resource.
      await sendResponse(event, { status: 'SUCCESS', physicalResourceId });
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const request = JSON.parse(String(event.ResourceProperties.Request)) as ModelSyncRequest;
      const deadline = new Promise<never>((_, reject) => {
        const remaining = context ? context.getRemainingTimeInMillis() - REPORT_MARGIN_MS : undefined;
        if (remaining !== undefined) {
          timer = setTimeout(() => reject(new Error('the sync did not finish within the function timeout (raise syncTimeout)')), Math.max(remaining, 0));
        }
      });
      const result = await Promise.race([sync(request), deadline]);
      await sendResponse(event, { status: 'SUCCESS', physicalResourceId, data: { [MODEL_SYNC_ATTRIBUTES.VERSION]: result.version } });
    } catch (error) {
      console.error(JSON.stringify({ message: 'model sync failed', error: describe(error), current: await currentVersion(settings.modelRoot).catch(() => undefined) }));
      await sendResponse(event, { status: 'FAILED', physicalResourceId, reason: `model sync failed: ${describe(error)}` });
    } finally {
      clearTimeout(timer);
    }
  };

  const onS3Event = async (event: S3Event): Promise<ModelSyncResult[]> => {
    const manifestKey = `${settings.sourcePrefix ?? ''}${MODEL_LAYOUT.manifestFile}`;
    const results: ModelSyncResult[] = [];
    for (const record of event.Records) {
      const bucket = record.s3.bucket.name;
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      if (bucket !== settings.sourceBucket || key !== manifestKey) {
        console.warn(JSON.stringify({ message: 'ignored an object that is not the model manifest', bucket, key, manifestKey }));
        continue;
      }
      // Failures throw: the asynchronous invocation is retried, then recorded in the on-failure queue (alarmed).
      results.push(await sync({ kind: 'prefix', bucket, prefix: settings.sourcePrefix ?? '' }));
    }
    return results;
  };

  return async (event: unknown, context?: Context): Promise<unknown> => {
    if (isCustomResourceEvent(event)) return onCustomResource(event, context);
    if (Array.isArray((event as Partial<S3Event>)?.Records)) return onS3Event(event as S3Event);
    throw new Error('unsupported event: expected a CloudFormation custom resource request or an S3 notification');
  };
}

function describe(error: unknown): string {
  if (error instanceof ModelVersionRejectedError) return error.message;
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

let configured: ReturnType<typeof createHandler> | undefined;

export const handler = async (event: unknown, context: Context): Promise<unknown> => {
  try {
    configured ??= createHandler(settingsFromEnvironment(), new S3ModelFiles(new S3Client({})));
  } catch (error) {
    // Misconfigured: CloudFormation must still hear back, or the stack waits until the service timeout.
    if (isCustomResourceEvent(event)) {
      const physicalResourceId = event.PhysicalResourceId ?? 'efs-model:unconfigured';
      await sendResponse(event, { status: 'FAILED', physicalResourceId, reason: `model sync failed: ${describe(error)}` });
      return undefined;
    }
    throw error;
  }
  return configured(event, context);
};
