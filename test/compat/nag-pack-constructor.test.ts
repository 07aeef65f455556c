/**
 * ServerlessPatternsChecks is built both ways cdk-nag packs are: options first, as cdk-nag 2 packs were
 * (`new ServerlessPatternsChecks({ verbose: true })`), and scope first, as cdk-nag 3 packs are
 * (`new ServerlessPatternsChecks(app, { verbose: true })`). Each form runs every way a pack is run, on whichever
 * aws-cdk-lib runs the test (the floor here, the newest through scripts/test-newest-cdk.mjs): directly
 * (`validateScope`), through `ScopedNagValidation.enforce` and `addPacks`, and registered as a validation plugin.
 */
import { App, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { ScopedNagValidation, ServerlessPatternsChecks } from '../../lib';
import { fn } from '../lib/nag/support/fixtures';
import { CDK_VERSION, PLUGINS_GET_TREE, SYNTH_THROWS_ON_FINDING, synthOutcome } from '../support/validation';

/** An app whose queue's visibility timeout is shorter than its consumer needs (SPC-SQS1). */
function appWithFinding(): App {
  const app = new App();
  const stack = new Stack(app, 'S');
  const queue = new sqs.Queue(stack, 'Q', { visibilityTimeout: Duration.seconds(30) });
  fn(stack, 'Fn', { timeout: Duration.seconds(10) }).addEventSource(new sources.SqsEventSource(queue, { reportBatchItemFailures: true }));
  return app;
}

/** Each constructor form, and whether it asks for verbose messages. */
const FORMS: Array<[string, (app: App) => ServerlessPatternsChecks, boolean]> = [
  ['no arguments', () => new ServerlessPatternsChecks(), false],
  ['options first (cdk-nag 2 form)', () => new ServerlessPatternsChecks({ verbose: true }), true],
  ['scope first (cdk-nag 3 form)', (app) => new ServerlessPatternsChecks(app), false],
  ['scope and options (cdk-nag 3 form)', (app) => new ServerlessPatternsChecks(app, { verbose: true }), true],
];

describe.each(FORMS)(`constructed with %s (aws-cdk-lib ${CDK_VERSION})`, (_form, create, verbose) => {
  test('validateScope reports the finding, verbose exactly when asked', () => {
    const app = appWithFinding();
    const finding = create(app).validateScope(app).violations.find((v) => v.ruleName === 'SPC-SQS1');
    expect(finding?.violatingResources.map((r) => r.constructPath)).toEqual([expect.stringMatching(/^S\/Fn\/SqsEventSource:.*\/Resource$/)]);
    if (verbose) expect(finding?.description).toMatch(/ Source: /);
    else expect(finding?.description).not.toMatch(/ Source: /);
  });

  test('ScopedNagValidation.enforce throws on the finding', () => {
    const app = appWithFinding();
    expect(() => ScopedNagValidation.enforce(app, create(app))).toThrow(/SPC-SQS1  S\/Fn\/SqsEventSource:/);
  });

  test('ScopedNagValidation.addPacks fails synth on the finding', () => {
    const app = appWithFinding();
    ScopedNagValidation.addPacks(app, create(app));
    const { error, exitCode } = synthOutcome(app);
    if (SYNTH_THROWS_ON_FINDING) expect(error).toMatch(/SPC-SQS1/);
    else expect(exitCode).toBe(1);
  });

  test(`registered with Validations.of(app).addPlugins, it ${PLUGINS_GET_TREE ? 'fails synth on the finding' : 'gets no tree (2.257)'}`, () => {
    const app = appWithFinding();
    Validations.of(app).addPlugins(create(app));
    const { error, exitCode } = synthOutcome(app);
    if (SYNTH_THROWS_ON_FINDING) {
      expect(error).toMatch(/SPC-SQS1/);
    } else if (PLUGINS_GET_TREE) {
      expect(exitCode).toBe(1);
    } else {
      // On 2.257 the pack reports that it got no construct tree: a failed validation, and no finding.
      expect(error).toBeUndefined();
      expect(exitCode).toBe(1);
    }
  });
});
