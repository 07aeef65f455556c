/**
 * The package as a user gets it: `npm pack`, unpacked into a fresh app's node_modules (next to this project's
 * aws-cdk-lib, constructs, cdk-nag and SDK, linked rather than downloaded), then a plain JavaScript app outside
 * the repository synthesizes the example stacks and a FifoFanout of its own with cdk-nag enforced, and a handler
 * imports a runtime helper by its own path.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installApp, packAndUnpack } from '../support/packed-package';

const LINKED = ['aws-cdk-lib', 'constructs', 'cdk-nag', '@aws-sdk/client-sns', '@aws-sdk/client-dynamodb'];

const APP = `
const { App, Stack } = require('aws-cdk-lib');
const { AwsSolutionsChecks } = require('cdk-nag');
const lib = require('cdk-serverless-patterns');
const app = new App({ outdir: process.argv[2] });
new lib.examples.RecruitingAgencyStack(app, 'RecruitingAgency');
new lib.examples.OrderEventsStack(app, 'OrderEvents');
new lib.examples.QuotesStack(app, 'Quotes');
const custom = new Stack(app, 'Custom');
new lib.FifoFanout(custom, 'Events').addSubscriber('Audit');
lib.ScopedNagValidation.enforce(app, new AwsSolutionsChecks());
const assembly = app.synth();
const { FifoPublisher } = require('cdk-serverless-patterns/runtime/fifo-publisher');
// The breaker's runtime reads its settings through the contract it shares with the construct (lib/).
const breaker = require('cdk-serverless-patterns/runtime/circuit-breaker');
console.log(JSON.stringify({
  stacks: assembly.stacks.map((s) => s.stackName).sort(),
  publisher: typeof FifoPublisher,
  tableEnv: breaker.CIRCUIT_BREAKER_ENV.TABLE_NAME,
  failureCounting: Object.values(breaker.FailureCounting).concat(Object.values(lib.FailureCounting)),
}));
`;

let result: { stacks: string[]; publisher: string; tableEnv: string; failureCounting: string[] };
let outdir: string;

beforeAll(() => {
  const { work, unpacked } = packAndUnpack('consumer-app-');
  installApp(join(work, 'app'), unpacked, LINKED);
  writeFileSync(join(work, 'app', 'app.js'), APP);
  outdir = join(work, 'cdk.out');
  const out = execFileSync('node', ['app.js', outdir], { cwd: join(work, 'app'), encoding: 'utf8', env: { ...process.env, JSII_DEPRECATED: 'quiet' } });
  result = JSON.parse(out.trim().split('\n').pop()!);
}, 120_000);

test('the installed package synthesizes every example stack and a custom construct with cdk-nag enforced', () => {
  expect(result.stacks).toEqual(['Custom', 'OrderEvents', 'Quotes', 'RecruitingAgency']);
});

test('handler assets come from the installed package and are staged into the cloud assembly', () => {
  // One staged directory per distinct handler bundle the examples use (five handlers), and the extension layer, which
  // the package ships as a zip with fixed file modes and aws-cdk-lib stages as it is.
  const staged = readdirSync(outdir).filter((name) => name.startsWith('asset.'));
  expect(staged.length).toBeGreaterThanOrEqual(6);
  const directories = staged.filter((asset) => !asset.endsWith('.zip'));
  for (const asset of directories) expect(readdirSync(join(outdir, asset)).length).toBeGreaterThan(0);
  // A zip names its entries in plain text (local and central directory headers).
  const layers = staged.filter((asset) => asset.endsWith('.zip') && readFileSync(join(outdir, asset)).includes('extensions/circuit-breaker'));
  expect(layers).toHaveLength(1);
});

test('a runtime helper resolves by its own path', () => {
  expect(result.publisher).toBe('function');
});

test('the runtime and the construct read one contract in the installed package', () => {
  expect(result.tableEnv).toBe('CIRCUIT_BREAKER_TABLE_NAME');
  const values = result.failureCounting;
  expect(values.slice(0, values.length / 2)).toEqual(values.slice(values.length / 2));
});
