import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';

const ROOT = join(__dirname, '..', '..', '..');
const REQUIREMENTS = join(__dirname, 'moto', 'requirements.txt');
/** How long the server may take to answer after it starts (it answers in about a second). */
const STARTUP_LIMIT_MS = 30_000;

/** A moto S3 server on a private port, and a client for it. */
export interface MotoS3 {
  readonly client: S3Client;
  /** Creates a bucket holding `objects` (key → body). */
  bucket(name: string, objects: Record<string, Buffer | string>): Promise<void>;
  stop(): void;
}

/** The python of the pinned moto virtualenv (installed with pip on first use, like scripts/models). */
function motoPython(): string {
  const script = `import { ensurePinnedVenv } from ${JSON.stringify(join(ROOT, 'scripts', 'pinned-venv.mjs'))};\n` +
    `process.stdout.write(ensurePinnedVenv('moto-s3', ${JSON.stringify(REQUIREMENTS)}));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function startMotoS3(): Promise<MotoS3> {
  const python = motoPython();
  const port = await freePort();
  const server: ChildProcess = spawn(python, ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  for (;;) {
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline || server.exitCode !== null) {
      server.kill();
      throw new Error(`moto did not start on ${endpoint}`);
    }
    await sleep(100);
  }
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
      server.kill();
    },
  };
}
