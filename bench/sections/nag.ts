/**
 * Run time of the ServerlessPatternsChecks pack against cdk-nag's AwsSolutions pack (and its ServerlessChecks) on
 * apps of several real shapes (bench/fixtures/nag-apps.ts), each pack applied to the whole app the way an app entry
 * point applies it (`validateScope(app)`). The packs only read the tree, so each app is built once and every run
 * sees the same one; rounds interleave the packs, each round starting with the next one.
 */
import { App, CfnResource } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPack, ServerlessChecks } from 'cdk-nag';
import { ServerlessPatternsChecks } from '../../lib/nag/packs/serverless-patterns';
import { NAG_APP_SHAPES } from '../fixtures/nag-apps';
import { BenchSection, fmt, median, runCount, table } from '../stats';

/** Services whose resources count as "serverless". */
const SERVERLESS_TYPES = /^AWS::(SQS|SNS|Lambda|Events|Pipes|DynamoDB|Logs|ApiGateway|StepFunctions)::/;
const WARMUP_ROUNDS = 3;
/** The issue's target: no slower than AwsSolutions on any shape. */
const TARGET_RATIO = 1.0;

interface PackPeer {
  readonly name: string;
  readonly create: () => NagPack;
}

const PEERS: PackPeer[] = [
  { name: 'ServerlessPatternsChecks', create: () => new ServerlessPatternsChecks() },
  { name: 'AwsSolutionsChecks', create: () => new AwsSolutionsChecks() },
  { name: 'ServerlessChecks', create: () => new ServerlessChecks() },
];

interface ShapeResult {
  readonly shape: string;
  readonly resources: number;
  readonly serverless: number;
  readonly medians: number[];
  readonly findings: number[];
}

/** Medians of each pack on one app, interleaved. */
export function measure(app: App, runs: number): { medians: number[]; findings: number[] } {
  const times: number[][] = PEERS.map(() => []);
  const findings: number[] = [];
  for (let round = 0; round < WARMUP_ROUNDS + runs; round++) {
    for (let k = 0; k < PEERS.length; k++) {
      const i = (round + k) % PEERS.length;
      const pack = PEERS[i].create();
      const start = process.hrtime.bigint();
      const report = pack.validateScope(app);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      findings[i] = report.violations.reduce((n, v) => n + v.violatingResources.length, 0);
      if (round >= WARMUP_ROUNDS) times[i].push(ms);
    }
  }
  return { medians: times.map(median), findings };
}

export async function run(): Promise<BenchSection> {
  process.env.JSII_DEPRECATED = 'quiet';
  const runs = runCount();
  const results: ShapeResult[] = NAG_APP_SHAPES.map((shape) => {
    const app = shape.build();
    const types = app.node.findAll().filter(CfnResource.isCfnResource).map((r) => r.cfnResourceType);
    return { shape: shape.name, resources: types.length, serverless: types.filter((t) => SERVERLESS_TYPES.test(t)).length, ...measure(app, runs) };
  });
  const ratio = (r: ShapeResult) => r.medians[0] / r.medians[1];
  const method = [
    `${NAG_APP_SHAPES.length} apps of real shapes (bench/fixtures/nag-apps.ts: the sample app, and apps written with plain aws-cdk-lib L2s as`,
    'their authors would write them). On each, each pack runs `validateScope(app)` on the same app',
    `${runs} times after ${WARMUP_ROUNDS} warm-up rounds, interleaved in one process (each round starts with the next pack); medians reported.`,
    `Target: ServerlessPatternsChecks ≤ ${TARGET_RATIO.toFixed(1)}× AwsSolutionsChecks on every shape. Findings counted per resource.`,
  ].join('\n');
  const body = table(
    ['app', 'resources (serverless)', ...PEERS.map((p) => `${p.name} median (ms)`), 'ServerlessPatterns / AwsSolutions', 'findings (SPC / AwsSolutions / Serverless)'],
    results.map((r) => [
      r.shape, `${r.resources} (${r.serverless})`, ...r.medians.map((m) => fmt(m)), `${fmt(ratio(r), 2)}×`, r.findings.join(' / '),
    ]),
  );
  const worst = results.reduce((a, b) => (ratio(a) >= ratio(b) ? a : b));
  const summary: Array<[string, string]> = [[
    'ServerlessPatternsChecks run time vs AwsSolutionsChecks, per app shape (worst shape)',
    `${results.map((r) => `${fmt(ratio(r), 2)}×`).join(', ')} (worst: ${worst.shape}, ${fmt(worst.medians[0])} vs ${fmt(worst.medians[1])} ms)`,
  ]];
  return { title: 'cdk-nag pack run time', method, body, summary };
}
