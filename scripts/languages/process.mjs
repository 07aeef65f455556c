import { spawnSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';

/**
 * Runs a command to completion, appending everything it prints to `log`. Throws with the last lines of its output
 * when it exits non-zero, unless `expectFailure` is set; returns the output either way.
 */
export function sh(log, command, args, { cwd, env, expectFailure = false } = {}) {
  appendFileSync(log, `\n$ ${[command, ...args].join(' ')}${cwd ? `   (in ${cwd})` : ''}\n`);
  const result = spawnSync(command, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  appendFileSync(log, output);
  const failed = result.status !== 0;
  if (failed !== expectFailure) {
    const tail = output.trim().split('\n').slice(-30).join('\n');
    const outcome = failed ? `exited ${result.status ?? result.signal}` : 'succeeded but was expected to fail';
    throw new Error(`${command} ${args.slice(0, 3).join(' ')} ${outcome}:\n${tail}`);
  }
  return output;
}

/** Times named steps of one language and lists them for the summary. */
export class Steps {
  constructor() {
    this.timings = [];
  }

  run(name, action) {
    const start = Date.now();
    try {
      return action();
    } finally {
      this.timings.push({ name, seconds: (Date.now() - start) / 1000 });
    }
  }

  get seconds() {
    return this.timings.reduce((sum, t) => sum + t.seconds, 0);
  }

  toString() {
    return this.timings.map((t) => `${t.name} ${t.seconds.toFixed(0)} s`).join(', ');
  }
}
