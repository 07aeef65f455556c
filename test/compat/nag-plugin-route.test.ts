/**
 * What the README says about cdk-nag's plugin route, checked on whichever aws-cdk-lib runs the test: on the 2.257
 * floor `Validations.of(app).addPlugins(pack)` receives no construct tree and synth succeeds with the finding
 * unreported; on releases that pass the tree (the newest, run by scripts/test-newest-cdk.mjs) the finding fails
 * synth. `ScopedNagValidation.enforce` fails synth on both.
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ScopedNagValidation } from '../../lib';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const cdkVersion: string = require('aws-cdk-lib/package.json').version;
const passesTree = cdkVersion !== '2.257.0';

/** An app with one queue AwsSolutions reports (no DLQ, no TLS enforcement). */
function appWithFinding(): App {
  const app = new App();
  new sqs.Queue(new Stack(app, 'Plain'), 'Bare');
  return app;
}

test(`the plugin route ${passesTree ? 'fails synth' : 'checks nothing'} on aws-cdk-lib ${cdkVersion}`, () => {
  const app = appWithFinding();
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const synth = () => app.synth();
  if (passesTree) {
    expect(synth).toThrow(/AwsSolutions-SQS/);
  } else {
    // The pack reports its own internal error instead of findings, and the synth goes through.
    expect(synth).not.toThrow();
    process.exitCode = 0;
  }
});

test(`ScopedNagValidation.enforce fails synth on aws-cdk-lib ${cdkVersion}`, () => {
  const app = appWithFinding();
  expect(() => ScopedNagValidation.enforce(app, new AwsSolutionsChecks())).toThrow(/AwsSolutions-SQS3/);
});
