/**
 * Runs a worker script as separate OS processes: bundled once with esbuild (the AWS SDK stays external and resolves
 * from this repository), spawned with `node`, released together once every one of them is loaded and connected.
 * Protocol on stdio, one JSON object a line: parent → argv[2]: the task; worker → `{"ready":true}` once loaded and
 * connected; parent → stdin: `{"startAt":<epoch ms>}`; worker → its result, then it exits.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { build } from 'esbuild';

const repoRoot = join(__dirname, '..', '..');

/**
 * Bundles a script to run as its own process into a new temporary directory (remove `dir` when done). The AWS SDK
 * stays external and resolves from this repository's node_modules (pass it as NODE_PATH).
 */
export async function bundleProcessScript(entry: string): Promise<{ dir: string; file: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'processes-'));
  const file = join(dir, 'process.js');
  await build({
    entryPoints: [entry],
    outfile: file,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['@aws-sdk/*', '@smithy/*'],
    logLevel: 'warning',
  });
  return { dir, file };
}

export class WorkerFleet<TTask, TResult> {
  /** Bundles the worker script `entry` into a temporary directory. */
  public static async bundle<TTask, TResult>(entry: string): Promise<WorkerFleet<TTask, TResult>> {
    const { dir, file } = await bundleProcessScript(entry);
    return new WorkerFleet<TTask, TResult>(dir, file);
  }

  private constructor(private readonly dir: string, private readonly file: string) {}

  /**
   * Starts one process per task, waits until all are ready, gives them one common start time `startDelayMs` ahead,
   * and resolves with their results in task order. Rejects if a process fails.
   */
  public async run(tasks: TTask[], startDelayMs = 200): Promise<TResult[]> {
    const children = tasks.map((task) => spawn(process.execPath, [this.file, JSON.stringify(task)], {
      env: { PATH: process.env.PATH, NODE_PATH: join(repoRoot, 'node_modules'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      stdio: ['pipe', 'pipe', 'pipe'],
    }));
    try {
      const outputs = children.map((child) => lineReader(child));
      await Promise.all(outputs.map((o) => o.next()));
      const startAt = Date.now() + startDelayMs;
      for (const child of children) child.stdin!.write(`${JSON.stringify({ startAt })}\n`);
      return await Promise.all(outputs.map(async (o) => JSON.parse(await o.next()) as TResult));
    } finally {
      for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    }
  }

  public dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Reads a child's stdout line by line; a line that never comes (the child failed) rejects with its stderr. */
function lineReader(child: ChildProcess): { next(): Promise<string> } {
  const queued: string[] = [];
  const waiting: Array<{ resolve: (line: string) => void; reject: (err: Error) => void }> = [];
  let stderr = '';
  let ended: Error | undefined;
  child.stderr!.on('data', (d) => (stderr += d));
  createInterface({ input: child.stdout! }).on('line', (line) => {
    const w = waiting.shift();
    if (w) w.resolve(line);
    else queued.push(line);
  });
  child.once('close', (code) => {
    ended = new Error(`worker exited with code ${code}: ${stderr.trim()}`);
    waiting.splice(0).forEach((w) => w.reject(ended!));
  });
  return {
    next: () => new Promise((resolve, reject) => {
      const line = queued.shift();
      if (line !== undefined) resolve(line);
      else if (ended) reject(ended);
      else waiting.push({ resolve, reject });
    }),
  };
}
