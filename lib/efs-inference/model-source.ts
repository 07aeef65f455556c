import { createHash } from 'node:crypto';
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { Stack, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as s3n from 'aws-cdk-lib/aws-s3-notifications';
import { Construct } from 'constructs';
import { EFS_INFERENCE_ENV, EFS_INFERENCE_LIMITS, MODEL_LAYOUT, ModelFile, ModelSyncRequest } from './contract';
import { acknowledgeWildcardResource } from './private/nag';
import { Problems } from '../core/private/validation';

/** Options of {@link ModelSource.fromBucket}. */
export interface BucketModelSourceOptions {
  /**
   * Sync again whenever a new `SHA256SUMS` manifest is uploaded under the prefix (an S3 event notification invokes
   * the sync function), so publishing a version needs no deploy.
   * @default true
   */
  readonly syncOnPublish?: boolean;
}

/** What a model source gives the construct (not part of the public API). */
export interface BoundModelSource {
  /** The sync function's request, with tokens (asset locations, bucket name). */
  readonly request: ModelSyncRequest;
  /** Environment variables the sync function needs for this source. */
  readonly environment: Record<string, string>;
  /** The region of the bucket the sync function reads, when synth knows it and it is not the stack's own. */
  readonly bucketRegion?: string;
  /** The version's file paths when synth knows them (a local directory), for the checks that need them. */
  readonly knownFiles?: string[];
  /** Lets the sync function read the files (and subscribe it to publications). */
  readonly connect: (syncFunction: lambda.Function) => void;
}

/**
 * Where the model version comes from. The sync function copies it file by file into a directory of its own on
 * the file system, verifying each file's SHA-256, and then makes it current.
 */
export abstract class ModelSource {
  /**
   * A local directory (its files and subdirectories), deployed with the stack: one S3 asset per file, checksums
   * computed at synth. A changed directory is a new version, installed by the next deploy.
   * @param path the directory, e.g. `path.join(__dirname, 'model')`
   */
  public static fromDirectory(path: string): ModelSource {
    return new DirectoryModelSource(path);
  }

  /**
   * The version published under an S3 prefix: the files under `prefix` and a manifest `<prefix>SHA256SUMS` listing
   * them (`sha256sum` output: `<hex>  <relative path>` per line). Upload the files first and the manifest last:
   * the manifest's upload publishes the version (see `syncOnPublish`). The stack's deploy installs whatever the
   * manifest lists then, and fails if there is none.
   * @param bucket the bucket holding the model
   * @param prefix the key prefix: empty, or ending in `/` (e.g. `models/ranker/`)
   */
  public static fromBucket(bucket: s3.IBucket, prefix: string, options: BucketModelSourceOptions = {}): ModelSource {
    return new BucketModelSource(bucket, prefix, options);
  }

  /** @internal */
  public abstract _bind(scope: Construct, problems: Problems): BoundModelSource | undefined;
}

class DirectoryModelSource extends ModelSource {
  constructor(private readonly path: string) {
    super();
  }

  /** @internal */
  public _bind(scope: Construct, problems: Problems): BoundModelSource | undefined {
    const dir = resolve(this.path);
    const paths = listFiles(dir);
    const fix = 'pass the directory holding the model files (e.g. path.join(__dirname, "model"))';
    if (!problems.check(paths !== undefined, 'EfsModelInference.ModelDirectory', `model directory ${dir} does not exist or is not a directory`, fix)) return undefined;
    if (!problems.check(paths!.length > 0, 'EfsModelInference.ModelDirectory', `model directory ${dir} holds no files`, fix)) return undefined;
    if (!problems.check(
      paths!.length <= EFS_INFERENCE_LIMITS.maxDirectoryFiles, 'EfsModelInference.ModelDirectory',
      `model directory ${dir} holds ${paths!.length} files, more than the ${EFS_INFERENCE_LIMITS.maxDirectoryFiles} deployed one asset each`,
      'pack them into fewer files, or publish them to S3 and use ModelSource.fromBucket',
    )) return undefined;
    const files: ModelFile[] = paths!.map((path, index) => {
      // The index keeps construct ids short and valid whatever the file names; assets are not CloudFormation resources.
      const asset = new s3assets.Asset(scope, `ModelFile${index}`, { path: join(dir, ...path.split('/')) });
      return { path, sha256: sha256Of(join(dir, ...path.split('/'))), bucket: asset.s3BucketName, key: asset.s3ObjectKey };
    });
    return {
      request: { kind: 'files', files },
      environment: {},
      knownFiles: paths,
      connect: (fn) => fn.addToRolePolicy(new iam.PolicyStatement({
        // Exactly the version's objects: GetObject on each asset, nothing else in the bootstrap bucket.
        actions: ['s3:GetObject'],
        resources: files.map((f) => Stack.of(scope).formatArn({ service: 's3', region: '', account: '', resource: f.bucket, resourceName: f.key })),
      })),
    };
  }
}

class BucketModelSource extends ModelSource {
  constructor(private readonly bucket: s3.IBucket, private readonly prefix: string, private readonly options: BucketModelSourceOptions) {
    super();
  }

  /** @internal */
  public _bind(_scope: Construct, problems: Problems): BoundModelSource | undefined {
    const { bucket, prefix } = this;
    if (!problems.check(
      prefix === '' || (prefix.endsWith('/') && !prefix.startsWith('/')), 'EfsModelInference.ModelPrefix',
      `model prefix ${JSON.stringify(prefix)} must be empty or end in "/" (and not start with "/")`,
      `use e.g. "models/ranker/": the manifest is read from <prefix>${MODEL_LAYOUT.manifestFile}`,
    )) return undefined;
    return {
      // An imported bucket's region is the one given to fromBucketAttributes (else the stack's); the deploy checks it.
      bucketRegion: Token.isUnresolved(bucket.env.region) ? undefined : bucket.env.region,
      request: { kind: 'prefix', bucket: bucket.bucketName, prefix },
      environment: { [EFS_INFERENCE_ENV.SOURCE_BUCKET]: bucket.bucketName, [EFS_INFERENCE_ENV.SOURCE_PREFIX]: prefix },
      connect: (fn) => {
        const objects = bucket.arnForObjects(`${prefix}*`);
        fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [objects] }));
        acknowledgeWildcardResource(fn.role!, objects,
          `The sync function reads the files a version's ${MODEL_LAYOUT.manifestFile} lists, which are published after deploy: ` +
          'GetObject only, below the model prefix only.');
        bucket.encryptionKey?.grantDecrypt(fn);
        if (this.options.syncOnPublish ?? true) {
          bucket.addEventNotification(s3.EventType.OBJECT_CREATED, new s3n.LambdaDestination(fn), { prefix: `${prefix}${MODEL_LAYOUT.manifestFile}` });
        }
      },
    };
  }
}

/** Every file below `dir` as a `/`-separated relative path, sorted; undefined when `dir` is not a directory. */
function listFiles(dir: string): string[] | undefined {
  try {
    if (!statSync(dir).isDirectory()) return undefined;
  } catch {
    return undefined;
  }
  const found: string[] = [];
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) found.push(relative(dir, path).split(sep).join('/'));
    }
  };
  walk(dir);
  return found.sort();
}

/** Read in chunks: model files can be larger than the synth process should hold at once. */
function sha256Of(path: string): string {
  const hash = createHash('sha256');
  const buffer = Buffer.alloc(4 * 1024 * 1024);
  const fd = openSync(path, 'r');
  try {
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}
