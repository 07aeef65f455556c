/**
 * Spawns egress-process.ts as separate OS processes (bundled once with esbuild; the AWS SDK resolves from this
 * repository) and collects the line each prints when its stop time has passed.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { bundleProcessScript } from '../../support/worker-fleet';

/** What one process does. */
export interface EgressTask {
  /**
   * `deliverer`: the RateLimitedEgress delivery handler; `controller`: its drain controller; `plain`: the peer the
   * bench compares with, a plain SQS consumer that POSTs each record and reports every non-2xx as a batch item
   * failure (no limiter, no breaker, no pause).
   */
  readonly role: 'deliverer' | 'controller' | 'plain';
  /** Environment of the handler (what the construct sets). */
  readonly env: Record<string, string>;
  readonly dynamoDbEndpoint: string;
  /** moto: SQS and the Lambda event source mapping API. */
  readonly motoEndpoint: string;
  readonly queueUrl: string;
  readonly mappingId: string;
  /** The function the mapping invokes, and the queue it reads (the delivery handler finds its mapping from them). */
  readonly functionName: string;
  readonly mappedQueueArn: string;
  /** Epoch ms at which the process finishes its current batch (or controller run) and exits. */
  readonly stopAt: number;
  readonly batchSize: number;
  readonly visibilityTimeoutSeconds: number;
  readonly functionTimeoutMs: number;
  /** How often the controller runs (the scaled schedule). */
  readonly controllerScheduleMs?: number;
  /** Removal experiments. */
  readonly removeLimiter?: boolean;
  readonly removePause?: boolean;
  /** `plain`: how long a request may take before it counts as failed, ms. */
  readonly callTimeoutMs?: number;
}

export interface EgressResult {
  readonly role: string;
  readonly invocations?: number;
  readonly received?: number;
  readonly returned?: number;
  readonly runs?: number;
  readonly probes?: number;
}

const repoRoot = join(__dirname, '..', '..', '..');

export class EgressFleet {
  public static async bundle(): Promise<EgressFleet> {
    const { dir, file } = await bundleProcessScript(join(__dirname, 'egress-process.ts'));
    return new EgressFleet(dir, file);
  }

  private constructor(private readonly dir: string, private readonly file: string) {}

  /** Runs every task in its own process; resolves with their results, rejects if one fails. */
  public async run(tasks: EgressTask[]): Promise<EgressResult[]> {
    return Promise.all(tasks.map((task) => new Promise<EgressResult>((resolve, reject) => {
      const child = spawn(process.execPath, [this.file, JSON.stringify(task)], {
        env: { PATH: process.env.PATH, NODE_PATH: join(repoRoot, 'node_modules'), AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      let err = '';
      child.stdout.on('data', (d) => (out += d));
      child.stderr.on('data', (d) => (err += d));
      // Bounded: a process that outlives its stop time by a minute is killed.
      const killer = setTimeout(() => child.kill('SIGKILL'), Math.max(0, task.stopAt - Date.now()) + 60_000);
      child.once('close', (code) => {
        clearTimeout(killer);
        const last = out.trim().split('\n').pop() ?? '';
        if (code === 0 && last.startsWith('{')) resolve(JSON.parse(last) as EgressResult);
        else reject(new Error(`${task.role} exited with ${code}: ${err.trim().slice(-2000)}`));
      });
    })));
  }

  public dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
