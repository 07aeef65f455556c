import { existsSync, readdirSync } from 'node:fs';
import { join, parse } from 'node:path';
import { App, Aspects, Duration, IPolicyValidationContext, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { rules } from '../../../../lib';
import { ScopedNagValidation, ServerlessPatternsChecks } from '../../../../lib/nag';
import { SERVERLESS_PATTERNS_RULES } from '../../../../lib/nag/packs/serverless-patterns-rules';
import { EXAMPLE_STACKS } from '../../../support/examples';
import { CDK_VERSION, PLUGINS_GET_TREE, SYNTH_THROWS_ON_FINDING, synthOutcome } from '../../../support/validation';
import { fn } from '../support/fixtures';

const RULES_DIR = join(__dirname, '..', '..', '..', '..', 'lib', 'nag', 'rules');

/** The catalogue's rule ids: the pack must cover each of them. */
const CATALOGUE = [
  'SQS1', 'SQS2', 'SQS3', 'SQS4', 'SQS5', 'SQS6', 'SQS7', 'SQS8', 'SQS9', 'ESM1', 'ESM2', 'ESM3', 'LMB1', 'LMB2', 'LMB3', 'LMB4',
  'LMB5', 'LMB6', 'LMB7', 'LMB8', 'EVB1', 'EVB2', 'EVB3', 'EVB4', 'EVB5', 'EVB6', 'PIP1', 'PIP2', 'PIP3', 'PIP4', 'SNS1', 'IDM1', 'CB1',
];
const TESTS_DIR = join(__dirname, '..', 'rules');

/** A consumer whose queue's visibility timeout is too short (SPC-SQS1) and which lacks partial batch responses (SPC-ESM1). */
function appWithFindings(): { app: App; mapping: lambda.CfnEventSourceMapping } {
  const app = new App();
  const producer = new Stack(app, 'Producer');
  const consumer = new Stack(app, 'Consumer');
  const queue = new sqs.Queue(producer, 'Q', { visibilityTimeout: Duration.seconds(30) });
  const f = fn(consumer, 'Fn', { timeout: Duration.seconds(10) });
  f.addEventSource(new sources.SqsEventSource(queue));
  const mapping = f.node.children.find((c) => c.node.id.startsWith('SqsEventSource:'))!.node.defaultChild as lambda.CfnEventSourceMapping;
  return { app, mapping };
}

const ruleNames = (report: { violations: { ruleName: string }[] }) => report.violations.map((v) => v.ruleName).sort();

/** `service/RuleName` of every rule file under lib/nag/rules. */
const ruleFiles = () =>
  readdirSync(RULES_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(RULES_DIR, d.name))
        .filter((f) => f.endsWith('.ts') && f !== 'index.ts' && !f.endsWith('.d.ts'))
        .map((f) => `${d.name}/${parse(f).name}`),
    )
    .sort();

test('the pack covers every catalogue rule with one id per rule, each rule named after its file under lib/nag/rules/<service>/', () => {
  expect(SERVERLESS_PATTERNS_RULES.map((r) => r.ruleSuffixOverride).sort()).toEqual([...CATALOGUE].sort());
  expect(SERVERLESS_PATTERNS_RULES.map((r) => r.rule.name).sort()).toEqual(ruleFiles().map((f) => f.split('/')[1]));
});

test('every rule is exported as cdk-nag exports its rules (rules.<service>.<Rule>) and has a test file of its own', () => {
  for (const file of ruleFiles()) {
    const [service, name] = file.split('/');
    const exported = (rules as unknown as Record<string, Record<string, unknown>>)[service]?.[name];
    expect(SERVERLESS_PATTERNS_RULES.find((r) => r.rule === exported)?.rule.name).toBe(name);
    expect(existsSync(join(TESTS_DIR, service, `${name}.test.ts`))).toBe(true);
  }
});

test('the pack takes its options first, as cdk-nag 2 packs did, or after a scope, as cdk-nag 3 packs do', () => {
  const verboseMessage = (pack: ServerlessPatternsChecks, app: App) => pack.validateScope(app).violations.find((v) => v.ruleName === 'SPC-SQS1')!.description;
  const { app } = appWithFindings();
  const terse = verboseMessage(new ServerlessPatternsChecks(), app);
  expect(terse).not.toMatch(/Source: /);
  expect(verboseMessage(new ServerlessPatternsChecks({ verbose: true }), app)).toMatch(/^The SQS queue .* Source: /);
  expect(verboseMessage(new ServerlessPatternsChecks(app, { verbose: true }), app)).toMatch(/^The SQS queue .* Source: /);
  expect(verboseMessage(new ServerlessPatternsChecks(app), app)).toBe(terse);
  // With a scope, writeSuppressionsToCloudFormation adds cdk-nag's aspect, as it does for cdk-nag's packs.
  const withScope = appWithFindings();
  new ServerlessPatternsChecks(withScope.app, { writeSuppressionsToCloudFormation: true });
  expect(Aspects.of(withScope.app).all.map((a) => a.constructor.name)).toEqual(['WriteNagSuppressionsToCloudFormationAspect']);
});

test('every message says what is wrong and what to change, and every rule names its source', () => {
  for (const rule of SERVERLESS_PATTERNS_RULES) {
    expect(rule.info).toMatch(/\. (Set|Add|Use|Give|Raise|Make|Name|Send|Remove|Merge|Fan out|Condition|Enable|Grant)\b/);
    expect(rule.explanation).toMatch(/Source: /);
  }
});

test('through ScopedNagValidation (aws-cdk-lib without the construct tree) a finding fails enforcement', () => {
  const { app } = appWithFindings();
  expect(() => ScopedNagValidation.enforce(app, new ServerlessPatternsChecks())).toThrow(
    /SPC-SQS1  Consumer\/Fn\/SqsEventSource:[^ ]+\/Resource  The SQS queue this event source mapping reads/,
  );
});

test('as a validation plugin given the construct tree (newer aws-cdk-lib), after synthesis, it reports the same', () => {
  const { app } = appWithFindings();
  const before = ruleNames(new ServerlessPatternsChecks().validateScope(app));
  app.synth();
  const context = { templatePaths: [], appConstruct: app } as IPolicyValidationContext;
  expect(ruleNames(new ServerlessPatternsChecks().validate(context))).toEqual(before);
  expect(before).toEqual(['SPC-ESM1', 'SPC-LMB5', 'SPC-SQS1', 'SPC-SQS7', 'SPC-SQS9']);
});

test(`registered the documented way, the pack ${PLUGINS_GET_TREE ? 'fails synth' : 'gets no tree on the 2.257 floor'} (aws-cdk-lib ${CDK_VERSION})`, () => {
  const { app } = appWithFindings();
  Validations.of(app).addPlugins(new ServerlessPatternsChecks());
  const { error, exitCode } = synthOutcome(app);
  if (SYNTH_THROWS_ON_FINDING) expect(error).toMatch(/SPC-SQS1/);
  else expect(error).toBeUndefined();
  // 2.257 to 2.261 set the exit code: on 2.257 for the pack's own error (no tree), later for the finding.
  if (!SYNTH_THROWS_ON_FINDING) expect(exitCode).toBe(1);
});

test('acknowledgements silence exactly the acknowledged id, also a sub-finding', () => {
  const { app, mapping } = appWithFindings();
  Validations.of(mapping).acknowledge({ id: 'SPC-SQS1', reason: 'the queue is drained by a batch job, not this mapping' });
  expect(ruleNames(new ServerlessPatternsChecks().validateScope(app))).toEqual(['SPC-ESM1', 'SPC-LMB5', 'SPC-SQS7', 'SPC-SQS9']);

  const s = new Stack(new App(), 'S');
  const m = new lambda.CfnEventSourceMapping(s, 'Stream', { functionName: 'f', eventSourceArn: 'arn:aws:kinesis:us-east-1:111111111111:stream/s', startingPosition: 'LATEST' });
  Validations.of(m).acknowledge({ id: 'SPC-ESM3[OnFailureDestination]', reason: 'records are replayable from the archive' });
  expect(ruleNames(new ServerlessPatternsChecks().validateScope(s))).toEqual(['SPC-ESM3[PartialBatch]', 'SPC-ESM3[UnboundedRetries]']);
});

test('running the pack leaves the synthesized template unchanged', () => {
  const stack = EXAMPLE_STACKS.OrderEvents();
  const before = Template.fromStack(stack).toJSON();
  new ServerlessPatternsChecks().validateScope(stack);
  expect(Template.fromStack(stack).toJSON()).toEqual(before);
});

test('markRateLimitedDownstream records the mark on the construct', () => {
  const f = fn(new Stack(new App(), 'S'), 'Fn');
  ServerlessPatternsChecks.markRateLimitedDownstream(f);
  expect(f.node.metadata.map((m) => m.type)).toContain('cdk-serverless-patterns:rate-limited-downstream');
});
