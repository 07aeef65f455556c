/**
 * The extension as a real child process, for its process tests and the benchmark: bundled the way
 * scripts/bundle.mjs builds the layer (esbuild, the folder's bundle.json: shebang banner, executable bit, output
 * path), and started against a stand-in Extensions API and DynamoDB Local.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { ExtensionsApiStandIn } from './extensions-api-stand-in';
import { freePort } from '../../../scripts/dynamodb-local';

const repoRoot = join(__dirname, '..', '..', '..');

/**
 * Writes the extension executable under `outDir` and returns its path. With `awsSdk: 'bundled'` it is the layer's
 * self-contained file; with `'external'` the SDK is left to the environment (NODE_PATH), or missing.
 */
export async function bundleExtension(outDir: string, awsSdk: 'bundled' | 'external'): Promise<string> {
  const config = JSON.parse(readFileSync(join(repoRoot, 'lambda', 'circuit-breaker-extension', 'bundle.json'), 'utf8'));
  const executable = join(outDir, config.outfile);
  await build({
    entryPoints: [join(repoRoot, 'lambda', 'circuit-breaker-extension', 'index.ts')],
    outfile: executable,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    external: awsSdk === 'external' ? ['@aws-sdk/*', '@smithy/*'] : [],
    legalComments: 'none',
    banner: { js: config.banner },
    logLevel: 'warning',
  });
  if (config.executable) chmodSync(executable, 0o755);
  return executable;
}

/** A started extension process and the stand-in API it registered with. */
export interface ExtensionProcess {
  readonly api: ExtensionsApiStandIn;
  readonly child: ChildProcess;
  /** The port its state server listens on. */
  readonly port: number;
  readonly exited: Promise<number | null>;
  /** What it wrote to stdout and stderr so far (with `captureOutput`). */
  output(): string;
}

/**
 * Spawns `executable` with the environment Lambda and protect() would give it (table, port, local DynamoDB endpoint
 * and credentials) plus `env`, and resolves once its init is over (its first event/next).
 */
export async function startExtensionProcess(
  executable: string, options: { endpoint: string; table: string; env?: Record<string, string | undefined>; captureOutput?: boolean },
): Promise<ExtensionProcess> {
  const api = new ExtensionsApiStandIn();
  await api.start();
  const port = await freePort();
  const child = spawn(executable, [], {
    env: {
      PATH: process.env.PATH,
      AWS_LAMBDA_RUNTIME_API: api.address,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_DYNAMODB: options.endpoint,
      CIRCUIT_BREAKER_TABLE_NAME: options.table,
      CIRCUIT_BREAKER_EXTENSION_PORT: String(port),
      ...options.env,
    },
    stdio: options.captureOutput ? ['ignore', 'pipe', 'pipe'] : 'ignore',
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await api.waitForNextRequests(1);
  return { api, child, port, exited, output: () => output };
}
