import { join } from 'node:path';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startMotoServer } from '../../support/moto-server';

const REQUIREMENTS = join(__dirname, 'moto', 'requirements.txt');

/** A moto S3 server on a private port, and a client for it. */
export interface MotoS3 {
  readonly client: S3Client;
  /** Creates a bucket holding `objects` (key → body). */
  bucket(name: string, objects: Record<string, Buffer | string>): Promise<void>;
  stop(): void;
}

export async function startMotoS3(): Promise<MotoS3> {
  const { endpoint, stop } = await startMotoServer({ name: 'moto-s3', requirements: REQUIREMENTS });
  const client = new S3Client({
    endpoint, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    client,
    bucket: async (name, objects) => {
      await client.send(new CreateBucketCommand({ Bucket: name }));
      for (const [key, body] of Object.entries(objects)) await client.send(new PutObjectCommand({ Bucket: name, Key: key, Body: body }));
    },
    stop: () => {
      client.destroy();
      stop();
    },
  };
}
