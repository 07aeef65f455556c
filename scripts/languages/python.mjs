// Python: the wheel jsii-pacmak builds, installed beside aws-cdk-lib, constructs and cdk-nag from PyPI.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pacmak } from './pacmak.mjs';
import { sh } from './process.mjs';
import { composePython } from './readme.mjs';
import { probe, synthesize, writeApp } from './scratch.mjs';
import { FLOOR, PROBE_ENV } from './versions.mjs';

const PINS = [`aws-cdk-lib==${FLOOR.awsCdkLib}`, `constructs==${FLOOR.constructs}`, `cdk-nag==${FLOOR.cdkNag}`];

const PROBE = `import os
if os.environ.get("${PROBE_ENV}"):
    from aws_cdk import App as ProbeApp, Stack as ProbeStack, aws_sqs as probe_sqs
    from cdk_serverless_patterns import FifoFanout as ProbeFanout, PatternErrors as ProbeErrors
    try:
        ProbeFanout(ProbeStack(ProbeApp(), "Probe"), "Bad", topic_name="no-suffix")
    except RuntimeError as err:
        print("problems: " + ",".join(p.id for p in ProbeErrors.problems_in_message(str(err))), flush=True)
    probe_sqs.CfnQueue(stack, "NagProbe")`;

/** A virtualenv with the pinned CDK packages, kept in the cache and reused while the pins are the same. */
function pinnedVirtualenv(ctx) {
  const venv = join(ctx.cache, 'python', `venv-${FLOOR.awsCdkLib}-${FLOOR.constructs}-${FLOOR.cdkNag}`);
  const ready = join(venv, '.pins-installed');
  if (!existsSync(ready)) {
    sh(ctx.log, 'python3', ['-m', 'venv', '--clear', venv]);
    sh(ctx.log, join(venv, 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', ...PINS]);
    writeFileSync(ready, PINS.join('\n'));
  }
  return join(venv, 'bin', 'python');
}

export const python = {
  name: 'Python',
  tools: ['python3'],
  fence: 'python',
  run(ctx, steps, snippets) {
    const wheel = steps.run('build', () => {
      const out = pacmak(ctx, 'python');
      return join(out, readdirSync(out).find((f) => f.endsWith('.whl')));
    });
    const interpreter = steps.run('install', () => {
      const bin = pinnedVirtualenv(ctx);
      sh(ctx.log, bin, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--force-reinstall', '--no-deps', wheel]);
      sh(ctx.log, bin, ['-m', 'pip', 'check']);   // the wheel's requirements are met by the pinned packages
      return bin;
    });
    const versions = sh(ctx.log, interpreter, ['-c', 'import importlib.metadata as m; print(" ".join(p + "==" + m.version(p) for p in ("aws-cdk-lib", "constructs", "cdk-nag")))']).trim();
    if (versions !== PINS.join(' ')) throw new Error(`installed ${versions}, expected ${PINS.join(' ')}`);
    const dir = ctx.scratch;
    writeApp(dir, 'app.py', composePython(snippets, PROBE));
    const appCommand = `${interpreter} app.py`;
    const template = steps.run('synth', () => synthesize(ctx, dir, appCommand));
    steps.run('probe', () => probe(ctx, dir, appCommand));
    return { template, versions };
  },
};
