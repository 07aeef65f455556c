import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ModelVersionRejectedError, parseManifest } from './manifest';
import { MODEL_LAYOUT, ModelFile } from '../../lib/efs-inference/contract';

/** Reads model files and manifests from S3. */
export class S3ModelFiles {
  constructor(private readonly s3: S3Client) {}

  /** Streams one file's content. */
  public readonly open = async (file: ModelFile): Promise<Readable> => {
    const object = await this.s3.send(new GetObjectCommand({ Bucket: file.bucket, Key: file.key }));
    if (!(object.Body instanceof Readable)) throw new Error(`s3://${file.bucket}/${file.key} returned no readable body`);
    return object.Body;
  };

  /** The files the manifest under `prefix` lists (a missing manifest means nothing was published there). */
  public async manifest(bucket: string, prefix: string): Promise<ModelFile[]> {
    const key = `${prefix}${MODEL_LAYOUT.manifestFile}`;
    let text: string;
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      text = (await object.Body?.transformToString('utf-8')) ?? '';
    } catch (error) {
      if ((error as Error).name === 'NoSuchKey') {
        throw new ModelVersionRejectedError(`no model is published: s3://${bucket}/${key} does not exist (upload the files, then this manifest)`);
      }
      throw error;
    }
    return parseManifest(text, bucket, prefix);
  }
}
