/**
 * What the README says about cdk-nag's plugin route and `ScopedNagValidation`, checked on whichever aws-cdk-lib runs
 * the test (the floor here, the newest through scripts/test-newest-cdk.mjs): on the 2.257 floor
 * `Validations.of(app).addPlugins(pack)` receives no construct tree: synth fails on the pack's own error, with the
 * finding unreported;
 * from 2.258 the finding fails synth as the release fails a validation (test/support/validation.ts).
 * `ScopedNagValidation.enforce` throws before synthesis on every release; `ScopedNagValidation.addPacks` fails synth
 * as the release fails a validation, with the report in the file that release writes.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, AppProps, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ScopedNagValidation } from '../../lib';
import { CDK_VERSION, OTHER_REPORT_FILE, PLUGINS_GET_TREE, REPORT_FILE, SYNTH_THROWS_ON_FINDING, synthOutcome } from '../support/validation';

/** An app with one queue AwsSolutions reports (no DLQ, no TLS enforcement). */
function appWithFinding(props: AppProps = {}): App {
  const app = new App(props);
  new sqs.Queue(new Stack(app, 'Plain'), 'Bare');
  return app;
}

test(`the plugin route ${PLUGINS_GET_TREE ? 'fails synth on the finding' : 'checks nothing'} on aws-cdk-lib ${CDK_VERSION}`, () => {
  const app = appWithFinding({ outdir: mkdtempSync(join(tmpdir(), 'plugin-route-')) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const { error, exitCode } = synthOutcome(app);
  if (SYNTH_THROWS_ON_FINDING) {
    expect(error).toMatch(/AwsSolutions-SQS/);
  } else if (PLUGINS_GET_TREE) {
    expect(error).toBeUndefined();
    expect(exitCode).toBe(1);
  } else {
    // The pack fails on its own error instead of reporting findings.
    expect(error).toBeUndefined();
    expect(exitCode).toBe(1);
    const report = readFileSync(join(app.outdir, REPORT_FILE), 'utf8');
    expect(report).toMatch(/NagPack requires a construct tree/);
    expect(report).not.toMatch(/AwsSolutions-SQS/);
  }
});

test(`ScopedNagValidation.enforce fails synth on aws-cdk-lib ${CDK_VERSION}`, () => {
  const app = appWithFinding();
  expect(() => ScopedNagValidation.enforce(app, new AwsSolutionsChecks())).toThrow(/AwsSolutions-SQS3/);
});

/** `app.synth()` of an app with a finding and AwsSolutions added by `addPacks`, in a fresh output directory. */
function synthWithAddPacks(context: Record<string, unknown> = {}) {
  const outdir = mkdtempSync(join(tmpdir(), 'add-packs-'));
  const app = appWithFinding({ outdir, context });
  ScopedNagValidation.addPacks(app, new AwsSolutionsChecks());
  return { outdir, ...synthOutcome(app) };
}

test(`ScopedNagValidation.addPacks: a finding fails synth, reported in ${REPORT_FILE} (aws-cdk-lib ${CDK_VERSION})`, () => {
  // jest sets NODE_ENV=test, which 2.262+ takes for the "inmemory" app mode: the error carries the report.
  const { outdir, error, exitCode } = synthWithAddPacks();
  if (SYNTH_THROWS_ON_FINDING) {
    expect(error).toMatch(/AwsSolutions-SQS3/);
  } else {
    expect(error).toBeUndefined();
    expect(exitCode).toBe(1);
  }
  expect(readFileSync(join(outdir, REPORT_FILE), 'utf8')).toMatch(/AwsSolutions-SQS3/);
  expect(existsSync(join(outdir, OTHER_REPORT_FILE))).toBe(false);
  // The stacks are written before validation runs.
  expect(existsSync(join(outdir, 'Plain.template.json'))).toBe(true);
});

(SYNTH_THROWS_ON_FINDING ? describe : describe.skip)(`from aws-cdk-lib 2.262, by app mode (aws-cdk-lib ${CDK_VERSION})`, () => {
  test('an app run on its own ("unknown" mode, as under a CLI that does not set CDK_APP_MODE) throws, naming the report', () => {
    const nodeEnv = process.env.NODE_ENV;
    delete process.env.NODE_ENV;
    try {
      expect(synthWithAddPacks().error).toMatch(/^Validation failed\. A copy of this report can be found in: .*validation-report\.json/);
    } finally {
      process.env.NODE_ENV = nodeEnv;
    }
  });

  test('in the "process" app mode synth prints the report and sets exit code 1 instead of throwing', () => {
    const { error, exitCode } = synthWithAddPacks({ '@aws-cdk/core:appMode': 'process' });
    expect(error).toBeUndefined();
    expect(exitCode).toBe(1);
  });
});

test(`with @aws-cdk/core:failSynthOnValidationErrors false, synth only writes the report (aws-cdk-lib ${CDK_VERSION})`, () => {
  const { outdir, error, exitCode } = synthWithAddPacks({ '@aws-cdk/core:failSynthOnValidationErrors': false });
  expect(error).toBeUndefined();
  expect(exitCode).toBeUndefined();
  expect(readFileSync(join(outdir, REPORT_FILE), 'utf8')).toMatch(/AwsSolutions-SQS3/);
});
