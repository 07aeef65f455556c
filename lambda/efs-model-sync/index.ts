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

/** Time kept back from the function's timeout (and from CloudFormation's wait) to stop, clean up and answer. */
const REPORT_MARGIN_MS = 10_000;
/** After an abort, how long the sync may take to stop and delete its staging folder before the answer goes anyway. */
const CLEANUP_GRACE_MS = 3_000;
/** CloudFormation's wait for a custom resource when the resource sets no ServiceTimeout (one hour). */
const DEFAULT_SERVICE_TIMEOUT_S = 3_600;

/** The sync ran out of time and was stopped. */
export class SyncDeadlineError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncDeadlineError';
  }
}

/**
 * When CloudFormation made the request: the signing time of its pre-signed response URL (`X-Amz-Date`, "Authenticating
 * Requests: Using Query Parameters", Amazon S3 API Reference,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html); undefined when the URL has none.
 */
export function requestSignedAt(responseUrl: string): number | undefined {
  let date: string | null;
  try {
    date = new URL(responseUrl).searchParams.get('X-Amz-Date');
  } catch {
    return undefined;
  }
  const m = date && /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
  return m ? Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) : undefined;
}

/**
 * Runs `work` with an abort signal that fires at `deadline` (ms since the epoch). At the deadline the work is aborted
 * and given a short grace to stop and clean up; the promise then rejects with a {@link SyncDeadlineError} whatever
 * the work does, so the caller can answer while the function still runs.
 */
async function withDeadline<T>(deadline: number, what: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const running = work(controller.signal);
  // Timers hold at most 2^31 - 1 ms (longer ones fire at once): no deadline, no timer.
  if (!Number.isFinite(deadline)) return running;
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'expired'>((resolve) => {
    timer = setTimeout(() => resolve('expired'), Math.max(deadline - Date.now(), 0));
  });
  try {
    const first = await Promise.race([running, expired]);
    if (first !== 'expired') return first as T;
    const error = new SyncDeadlineError(`${what} did not finish in time and was stopped (raise syncTimeout)`);
    controller.abort(error);
    // Let the copy stop and remove its staging folder; a stream that ignores the abort does not hold the answer.
    await Promise.race([running.catch(() => undefined), new Promise((resolve) => setTimeout(resolve, CLEANUP_GRACE_MS))]);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

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
  const sync = async (request: ModelSyncRequest, signal: AbortSignal, requestedAt: number, unlessSuperseded: boolean): Promise<ModelSyncResult> => {
    const versionFiles: ModelFile[] = request.kind === 'files' ? request.files : await files.manifest(request.bucket, request.prefix, signal);
    const result = await installVersion(settings.modelRoot, versionFiles, {
      retainedVersions: settings.retainedVersions,
      openFile: files.open,
      requiredFile: settings.requiredFile,
      signal,
      requestedAt,
      unlessSuperseded,
    });
    console.info(JSON.stringify({ message: result.superseded ? 'a newer request already made a version current; nothing changed' : 'model version is current', ...result }));
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
    // CloudFormation invokes custom resource functions asynchronously, so a request can run after CloudFormation
    // stopped waiting for it (its ServiceTimeout passed: "AWS::CloudFormation::CustomResource", CloudFormation user
    // guide, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudformation-customresource.html).
    // Such a request is answered and changes nothing: only the version CloudFormation waits for may become current.
    const now = Date.now();
    const requestedAt = requestSignedAt(event.ResponseURL) ?? now;
    const serviceTimeoutS = Number(event.ResourceProperties.ServiceTimeout ?? DEFAULT_SERVICE_TIMEOUT_S);
    const cloudFormationWaitsUntil = requestedAt + (Number.isFinite(serviceTimeoutS) ? serviceTimeoutS : DEFAULT_SERVICE_TIMEOUT_S) * 1000;
    if (now >= cloudFormationWaitsUntil - REPORT_MARGIN_MS) {
      console.warn(JSON.stringify({ message: 'CloudFormation no longer waits for this request; nothing changed', requestId: event.RequestId, requestedAt: new Date(requestedAt).toISOString() }));
      await sendResponse(event, { status: 'FAILED', physicalResourceId, reason: 'model sync skipped: CloudFormation had stopped waiting for this request' });
      return;
    }
    const functionEnds = context?.getRemainingTimeInMillis ? now + context.getRemainingTimeInMillis() : Infinity;
    const deadline = Math.min(functionEnds, cloudFormationWaitsUntil) - REPORT_MARGIN_MS;
    try {
      const request = JSON.parse(String(event.ResourceProperties.Request)) as ModelSyncRequest;
      const result = await withDeadline(deadline, 'the sync', (signal) => sync(request, signal, requestedAt, false));
      await sendResponse(event, { status: 'SUCCESS', physicalResourceId, data: { [MODEL_SYNC_ATTRIBUTES.VERSION]: result.version } });
    } catch (error) {
      console.error(JSON.stringify({ message: 'model sync failed', error: describe(error), current: await currentVersion(settings.modelRoot).catch(() => undefined) }));
      await sendResponse(event, { status: 'FAILED', physicalResourceId, reason: `model sync failed: ${describe(error)}` });
    }
  };

  const onS3Event = async (event: S3Event, context?: Pick<Context, 'getRemainingTimeInMillis'>): Promise<ModelSyncResult[]> => {
    const manifestKey = `${settings.sourcePrefix ?? ''}${MODEL_LAYOUT.manifestFile}`;
    const deadline = context?.getRemainingTimeInMillis ? Date.now() + context.getRemainingTimeInMillis() - REPORT_MARGIN_MS : Infinity;
    const results: ModelSyncResult[] = [];
    for (const record of event.Records) {
      const bucket = record.s3.bucket.name;
      const key = decodeURIComponent(record.s3.object.key.replace(/\+/g, ' '));
      if (bucket !== settings.sourceBucket || key !== manifestKey) {
        console.warn(JSON.stringify({ message: 'ignored an object that is not the model manifest', bucket, key, manifestKey }));
        continue;
      }
      // A notification retried after a later deploy (or publication) has been applied changes nothing.
      const publishedAt = Date.parse(record.eventTime);
      // Failures throw: the asynchronous invocation is retried, then recorded in the on-failure queue (alarmed).
      results.push(await withDeadline(deadline, 'the sync', (signal) =>
        sync({ kind: 'prefix', bucket, prefix: settings.sourcePrefix ?? '' }, signal, Number.isFinite(publishedAt) ? publishedAt : Date.now(), true)));
    }
    return results;
  };

  return async (event: unknown, context?: Context): Promise<unknown> => {
    if (isCustomResourceEvent(event)) return onCustomResource(event, context);
    if (Array.isArray((event as Partial<S3Event>)?.Records)) return onS3Event(event as S3Event, context);
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
