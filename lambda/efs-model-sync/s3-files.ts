import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ModelVersionRejectedError, parseManifest } from './manifest';
import { MODEL_LAYOUT, ModelFile } from '../../lib/efs-inference/contract';

/** Reads model files and manifests from S3. */
export class S3ModelFiles {
  constructor(private readonly s3: S3Client) {}

  /** Streams one file's content; `signal` aborts the request and the stream. */
  public readonly open = async (file: ModelFile, signal?: AbortSignal): Promise<Readable> => {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: file.bucket, Key: file.key }), { abortSignal: signal });
    if (!(object.Body instanceof Readable)) throw new Error(`s3://${file.bucket}/${file.key} returned no readable body`);
    return object.Body;
  };

  /** The files the manifest under `prefix` lists (a missing manifest means nothing was published there). */
  public async manifest(bucket: string, prefix: string, signal?: AbortSignal): Promise<ModelFile[]> {
    const key = `${prefix}${MODEL_LAYOUT.manifestFile}`;
    let text: string;
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }), { abortSignal: signal });
      text = (await object.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'NoSuchKey') {
        throw new ModelVersionRejectedError(`no model is published: s3://${bucket}/${key} does not exist (upload the files, then this manifest)`);
      }
      // Without s3:ListBucket, S3 answers a missing key with 403 rather than 404 ("GetObject", Amazon S3 API
      // Reference, Permissions, https://docs.aws.amazon.com/AmazonS3/latest/API/API_GetObject.html). The construct
      // grants ListBucket below the prefix; where that grant is not in force, 403 most likely means the same thing.
      if (name === 'AccessDenied') {
        throw new ModelVersionRejectedError(
          `no model is published, or it cannot be read: s3://${bucket}/${key} answered 403 AccessDenied (upload the files, then this manifest; ` +
          'if it exists, check the bucket policy and its key policy)',
        );
      }
      throw error;
    }
    return parseManifest(text, bucket, prefix);
  }
}
