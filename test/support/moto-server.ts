/**
 * A moto server on a private port, from the virtualenv pinned in test/support/moto/requirements.txt: the local
 * stand-in for the AWS services DynamoDB Local does not cover (SQS, EventBridge with rule targets, Pipes).
 */
import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../scripts/dynamodb-local';

const ROOT = join(__dirname, '..', '..');
const REQUIREMENTS = join(__dirname, 'moto', 'requirements.txt');
/** How long the server may take to answer after it starts (it answers in about a second). */
const STARTUP_LIMIT_MS = 30_000;

export const MOTO_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

export interface MotoServer {
  readonly endpoint: string;
  stop(): void;
}

/** Which pinned virtualenv runs the server. */
export interface MotoVenv {
  /** Cache folder name of the virtualenv. */
  readonly name: string;
  /** Its requirements file. */
  readonly requirements: string;
}

const DEFAULT_VENV: MotoVenv = { name: 'moto-server', requirements: REQUIREMENTS };

/** The python of a pinned moto virtualenv (installed with pip on first use). */
function motoPython(venv: MotoVenv): string {
  const script = `import { ensurePinnedVenv } from ${JSON.stringify(join(ROOT, 'scripts', 'pinned-venv.mjs'))};\n` +
    `process.stdout.write(ensurePinnedVenv(${JSON.stringify(venv.name)}, ${JSON.stringify(venv.requirements)}));`;
  return execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
}

export async function startMotoServer(venv: MotoVenv = DEFAULT_VENV): Promise<MotoServer> {
  const python = motoPython(venv);
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
  return { endpoint, stop: () => server.kill() };
}
