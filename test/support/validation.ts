/**
 * How the aws-cdk-lib release running the tests treats validation plugins (core/lib/private/synthesis.js, and from
 * 2.262 synthesis-validation.js): the 2.257 floor gives plugins no construct tree, writes `policy-validation-report.json`
 * and sets exit code 1 on a finding; 2.258 passes the tree (`appConstruct`) and writes `validation-report.json`;
 * from 2.262 a finding makes `app.synth()` throw, except in the "process" app mode.
 */
import { App } from 'aws-cdk-lib';

// eslint-disable-next-line @typescript-eslint/no-require-imports
export const CDK_VERSION: string = require('aws-cdk-lib/package.json').version;
const minor = Number(CDK_VERSION.split('.')[1]);

/** Whether validation plugins are given the construct tree. */
export const PLUGINS_GET_TREE = minor >= 258;
/** The report file synthesis writes to the output directory. */
export const REPORT_FILE = minor >= 258 ? 'validation-report.json' : 'policy-validation-report.json';
/** The other name, which this release does not write (unless asked with `@aws-cdk/core:validationReportJson`). */
export const OTHER_REPORT_FILE = minor >= 258 ? 'policy-validation-report.json' : 'validation-report.json';
/** Whether a finding makes `app.synth()` throw (outside the "process" app mode). */
export const SYNTH_THROWS_ON_FINDING = minor >= 262;

/** What `app.synth()` did: the message of the error it threw, and the exit code it set (the report printing silenced). */
export function synthOutcome(app: App): { error?: string; exitCode?: number | string } {
  const printed = jest.spyOn(console, 'error').mockImplementation(() => undefined);
  const before = process.exitCode;
  process.exitCode = undefined;
  try {
    app.synth();
    return { exitCode: process.exitCode };
  } catch (error) {
    return { error: (error as Error).message, exitCode: process.exitCode };
  } finally {
    process.exitCode = before;
    printed.mockRestore();
  }
}
