/**
 * Synth time of this library's constructs against the same resources written by hand with aws-cdk-lib L2s, and
 * against AWS Solutions Constructs for one topic → queue pair and one EventBridge → SQS → Lambda buffer. All peers
 * are measured in this one process, interleaved round-robin after warm-up rounds, so JIT compilation, module caches
 * and background load are shared evenly rather than favouring whichever runs first.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { RecruitingAgencyStack } from '../../lib/examples/recruiting-agency-stack';
import {
  handWrittenBufferedConsumer,
  ourBufferedConsumer,
  solutionsConstructsBufferedConsumer,
} from '../fixtures/buffered-consumer';
import { HandWrittenRecruitingStack } from '../fixtures/hand-written-recruiting';
import { handWrittenTopicQueuePair, ourTopicQueuePair, solutionsConstructsTopicQueuePair } from '../fixtures/topic-queue-pair';
import { BenchSection, fmt, median, runCount, table } from '../stats';

const ASSETS_DIR = join(__dirname, '..', '..', 'assets');
const STACK_NAME = 'Bench';
/**
 * Synth times keep falling for the first several rounds while V8 optimizes aws-cdk-lib; fewer warm-up rounds left
 * the first measured rounds noticeably slower.
 */
const WARMUP_ROUNDS = 10;
/** The target: the example app synthesizes within 1.2× of the hand-written L2 version. */
const TARGET_RATIO = 1.2;

interface Peer {
  readonly name: string;
  readonly build: (app: App) => void;
}

interface Measured {
  readonly peer: Peer;
  readonly times: number[];
  /** Resource count per CloudFormation type, from the peer's first synth. */
  readonly resources: Record<string, number>;
}

export async function run(): Promise<BenchSection> {
  process.env.JSII_DEPRECATED = 'quiet';
  process.env.CDK_DISABLE_VERSION_CHECK = '1';
  // Solutions Constructs print a console warning for every default a caller overrides; the peers need a few overrides
  // (see the fixtures), and a warning per override per sample would bury the bench output.
  const overrideWarnings = process.env.overrideWarningsEnabled;
  process.env.overrideWarningsEnabled = 'false';
  try {
    checkPrerequisites();
    return measureAll(runCount());
  } finally {
    if (overrideWarnings === undefined) delete process.env.overrideWarningsEnabled;
    else process.env.overrideWarningsEnabled = overrideWarnings;
  }
}

function measureAll(runs: number): BenchSection {
  const example = measure(runs, [
    { name: 'RecruitingAgencyStack (this library)', build: (app) => new RecruitingAgencyStack(app, STACK_NAME) },
    { name: 'Hand-written aws-cdk-lib L2', build: (app) => new HandWrittenRecruitingStack(app, STACK_NAME) },
  ]);
  const [ours, handWritten] = example;
  assertSameResources(ours, handWritten, 'bench/fixtures/hand-written-recruiting.ts');

  const pair = measure(runs, [
    { name: '`FifoFanout` + 1 subscriber (this library)', build: (app) => ourTopicQueuePair(new Stack(app, STACK_NAME)) },
    { name: 'Hand-written aws-cdk-lib L2', build: (app) => handWrittenTopicQueuePair(new Stack(app, STACK_NAME)) },
    {
      name: '`SnsToSqs` (@aws-solutions-constructs/aws-sns-sqs)',
      build: (app) => solutionsConstructsTopicQueuePair(new Stack(app, STACK_NAME)),
    },
  ]);

  const buffered = measure(runs, [
    { name: '`BufferedEventConsumer` (this library)', build: (app) => ourBufferedConsumer(new Stack(app, STACK_NAME)) },
    { name: 'Hand-written aws-cdk-lib L2', build: (app) => handWrittenBufferedConsumer(new Stack(app, STACK_NAME)) },
    {
      name: '`EventbridgeToSqs` (@aws-solutions-constructs/aws-eventbridge-sqs) + consumer',
      build: (app) => solutionsConstructsBufferedConsumer(new Stack(app, STACK_NAME)),
    },
  ]);
  assertSameResources(buffered[0], buffered[1], 'bench/fixtures/buffered-consumer.ts');

  const exampleRatio = median(ours.times) / median(handWritten.times);
  const verdict =
    exampleRatio <= TARGET_RATIO
      ? `**met**: ${fmt(exampleRatio, 2)}× ≤ ${TARGET_RATIO}×`
      : `**missed**: ${fmt(exampleRatio, 2)}× > ${TARGET_RATIO}×`;

  const method = [
    'One sample is `new App({ outdir: <fresh temp dir> })`, building the stack, and `app.synth()`, timed with ' +
      `\`process.hrtime\`. Each group runs ${WARMUP_ROUNDS} warm-up rounds, then ${runs} measured rounds; every ` +
      'round synthesizes each peer once, in the same Node process, starting with a different peer each round so ' +
      'none always runs first or always inherits the previous round\'s garbage. Medians, minima and maxima are ' +
      'over the measured rounds; ratios divide medians from the same run. No cdk-nag packs are attached. Library ' +
      'sources are loaded through ts-node (transpile only), as in the tests; module loading and transpiling happen ' +
      'before or during the warm-up rounds.',
    '',
    '**Recruiting agency example**: `RecruitingAgencyStack` against `bench/fixtures/hand-written-recruiting.ts`, ' +
      'which declares the same resources with aws-cdk-lib L2s and the same pre-bundled handler assets. The section ' +
      `checks that both templates hold the same number of resources of each type: ${describeCounts(ours.resources)}.`,
    '',
    '**One topic → queue pair** (no consumer): the three do not create the same resources, so part of the ' +
      'difference is work the others skip. ' +
      pair.map((m) => `${m.peer.name}: ${total(m.resources)} resources (${describeCounts(m.resources)})`).join('; ') +
      '. `FifoFanout` adds TLS-only topic and queue policies and three alarms; the hand-written pair is the minimum ' +
      'that works (topic, queue, queue DLQ, subscription DLQ, subscription, the policies `SqsSubscription` adds). ' +
      '`SnsToSqs` is configured for a FIFO topic and queue with a FIFO DLQ, AWS managed topic key and SQS-managed ' +
      'SSE on its queues (its default customer managed key is off; the queue key must be SQS-managed for SNS to ' +
      'deliver), and is given the subscription DLQ it cannot create itself; its override warnings are silenced ' +
      'with `overrideWarningsEnabled=false`, which also skips its check of overridden defaults.',
    '',
    '**EventBridge → SQS → Lambda** (`bench/fixtures/buffered-consumer.ts`): each peer creates a custom bus and a ' +
      'rule matching one source and detail-type, buffering into a standard queue drained by a Lambda consumer ' +
      '(the pre-bundled `order-events-consumer` asset, 10 s timeout) through an event source mapping with ' +
      '`ReportBatchItemFailures`, batch size 10 and `MaximumConcurrency` 2. The three do not create the same ' +
      'resources: ' +
      buffered.map((m) => `${m.peer.name}: ${total(m.resources)} resources (${describeCounts(m.resources)})`).join('; ') +
      '. The hand-written peer declares what `BufferedEventConsumer` creates with aws-cdk-lib L2s (the section ' +
      'checks the counts per type match): rule target with retry policy (185 attempts, 24 h) and target DLQ, ' +
      'buffer queue and DLQ with SQS-managed SSE, TLS-only policies and redrive allowed only from the buffer ' +
      'queue, and a function with an explicit log group, its own role and a separate X-Ray policy, and the same ' +
      'alarms. `EventbridgeToSqs` is configured as close as its props allow (customer managed key off, ' +
      'SQS-managed SSE, the same retention, visibility timeout, max receive count, queue name and redrive allow ' +
      'policy; it adds its own TLS-only and owner-only queue policy statements), and is given the target DLQ ' +
      'through `targetProps`: the rule DLQ it can deploy itself is encrypted with either a new customer managed ' +
      'key or the AWS managed SQS key, which EventBridge cannot use. The same consumer function and event source ' +
      'are attached to its queue by hand; it creates no alarms, which accounts for the difference in counts.',
  ].join('\n');

  const rows = (group: string, measured: Measured[], baseline: Measured) =>
    measured.map((m) => [
      group,
      m.peer.name,
      total(m.resources),
      fmt(median(m.times)),
      fmt(Math.min(...m.times)),
      fmt(Math.max(...m.times)),
      m === baseline ? '1.00 (baseline)' : fmt(median(m.times) / median(baseline.times), 2),
    ]);
  const body = [
    table(
      ['Group', 'Synthesized with', 'Resources', 'Median ms', 'Min ms', 'Max ms', 'Ratio vs hand-written L2'],
      [
        ...rows('Recruiting agency example', example, handWritten),
        ...rows('One topic → queue pair', pair, pair[1]),
        ...rows('EventBridge → SQS → Lambda', buffered, buffered[1]),
      ],
    ),
    '',
    `Target for the example app (within ${TARGET_RATIO}× of hand-written L2): ${verdict}.`,
  ].join('\n');

  const ratio = (m: Measured, base: Measured) => `${fmt(median(m.times) / median(base.times), 2)}×`;
  const summary: Array<[string, string]> = [
    ['Synth time, recruiting example vs the same resources hand-written with L2s', `${ratio(example[0], handWritten)} (${fmt(median(example[0].times))} ms)`],
    ['Synth time, EventBridge → SQS → Lambda vs hand-written', buffered.map((m) => `${m.peer.name} ${ratio(m, buffered[1])}`).join(', ')],
  ];
  return { title: 'Synth time', method, body, summary };
}

function checkPrerequisites(): void {
  if (!existsSync(ASSETS_DIR) || readdirSync(ASSETS_DIR).length === 0) {
    throw new Error('assets/ is missing or empty: run `node scripts/bundle.mjs` (or `npx projen bundle`) first');
  }
  // jsii leaves compiled .js beside lib/*.ts; timing a stale build would measure code that is not in the sources.
  const resolved = require.resolve('../../lib/examples/recruiting-agency-stack');
  if (!resolved.endsWith('.ts')) {
    throw new Error(
      'lib/ resolved to compiled .js: run the bench with TS_NODE_PREFER_TS_EXTS=true and ' +
        '`node -r ts-node/register/transpile-only` (as `npm run bench` does)',
    );
  }
}

function measure(runs: number, peers: Peer[]): Measured[] {
  const times: number[][] = peers.map(() => []);
  const resources: Record<string, number>[] = [];
  for (let round = 0; round < WARMUP_ROUNDS + runs; round++) {
    // Each round starts with the next peer, so no peer always runs first, right after the previous round's garbage.
    for (let k = 0; k < peers.length; k++) {
      const i = (round + k) % peers.length;
      const { ms, assembly } = synthOnce(peers[i]);
      if (round === 0) resources[i] = countResources(assembly);
      if (round >= WARMUP_ROUNDS) times[i].push(ms);
    }
  }
  return peers.map((peer, i) => ({ peer, times: times[i], resources: resources[i] }));
}

function synthOnce(peer: Peer): { ms: number; assembly: CloudAssembly } {
  const outdir = mkdtempSync(join(tmpdir(), 'bench-synth-'));
  try {
    const start = process.hrtime.bigint();
    const app = new App({ outdir });
    peer.build(app);
    const assembly = app.synth();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    // Read the template while the directory exists; the stack artifact loads it from disk lazily.
    void assembly.getStackByName(STACK_NAME).template;
    return { ms, assembly };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function countResources(assembly: CloudAssembly): Record<string, number> {
  const counts: Record<string, number> = {};
  const template = assembly.getStackByName(STACK_NAME).template as { Resources?: Record<string, { Type: string }> };
  for (const resource of Object.values(template.Resources ?? {})) {
    counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
  }
  return counts;
}

function assertSameResources(a: Measured, b: Measured, fixture: string): void {
  const types = [...new Set([...Object.keys(a.resources), ...Object.keys(b.resources)])].sort();
  const differences = types
    .filter((type) => a.resources[type] !== b.resources[type])
    .map((type) => `${type}: ${a.resources[type] ?? 0} vs ${b.resources[type] ?? 0}`);
  if (differences.length > 0) {
    throw new Error(
      `${a.peer.name} and ${b.peer.name} synthesize different resources (${differences.join('; ')}); update ` +
        `${fixture} so the comparison stays like for like`,
    );
  }
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, n) => sum + n, 0);
}

function describeCounts(counts: Record<string, number>): string {
  return Object.entries(counts)
    .sort(([x], [y]) => x.localeCompare(y))
    .map(([type, n]) => `${n} × ${type.replace(/^AWS::/, '')}`)
    .join(', ');
}
