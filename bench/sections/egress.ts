/**
 * RateLimitedEgress (BUFFERED) against a plain SQS → Lambda consumer with the same settings, side by side in one
 * run: the same partner simulator (a limit it enforces with 429, 20-60 ms latency), the same moto SQS buffer
 * (visibility timeout, `maxReceiveCount` 5, dead-letter queue), the same four concurrent delivery environments in
 * separate OS processes with the same batch size. Two scenarios per run:
 * - healthy: how many events per second reach the partner, against the limit stated to the construct;
 * - outage: the partner resets every connection for 15 s, a 10-minute outage scaled 1/40 as in the proof test
 *   (visibility timeout 3 s, open timeout 2 s, drain controller every 3 s); events dead-lettered or lost, per minute
 *   of the (scaled) outage.
 * The processes and peers are the proof test's (test/lambda/rate-limited-egress); the plain peer POSTs each record
 * and reports any answer but 2xx as a batch item failure.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { RATE_LIMITED_EGRESS_DEFAULTS } from '../../lib/rate-limited-egress/contract';
import { startDynamoDbLocal } from '../../scripts/dynamodb-local';
import { EgressFleet, EgressTask } from '../../test/lambda/rate-limited-egress/egress-fleet';
import { MotoEgress, startMotoEgress } from '../../test/lambda/rate-limited-egress/moto-egress';
import { PartnerSimulator } from '../../test/lambda/rate-limited-egress/partner-simulator';
import {
  orderEvent, SCALED_BATCH_SIZE, SCALED_ENVIRONMENTS, SCALED_EVENTS, SCALED_LIMIT, SCALED_OUTAGE, SCALED_RUN_MS, scaledTask,
} from '../../test/lambda/rate-limited-egress/scaled-outage';
import { createTestTable } from '../../test/support/dynamodb-local';
import { BenchSection, fmt, median, runCount, table } from '../stats';

const LIMIT = SCALED_LIMIT;
const ENVIRONMENTS = SCALED_ENVIRONMENTS;
const EVENTS = SCALED_EVENTS;
const OUTAGE = SCALED_OUTAGE;
/** The outage stands for 10 minutes (scaled 1/40). */
const OUTAGE_MINUTES = 10;
const RUN_MS = SCALED_RUN_MS;

type Peer = 'RateLimitedEgress' | 'plain consumer';
type Scenario = 'healthy' | 'outage';

interface Measured {
  readonly peer: Peer;
  readonly scenario: Scenario;
  /** Deliveries answered 2xx per second, between the first and the last (minus the outage). */
  readonly deliveredPerSecond: number;
  /**
   * The same while events were still waiting to be received: over the first 90 % of the deliveries. The last ones
   * include records handed back to the queue, which wait out their visibility timeout with nothing else to send.
   */
  readonly steadyPerSecond: number;
  readonly delivered: number;
  readonly refused429: number;
  readonly deadLettered: number;
  /** Neither delivered nor in the dead-letter queue nor still waiting. */
  readonly lost: number;
  readonly maxPerSecond: number;
}

export async function run(): Promise<BenchSection> {
  const runs = runCount();
  const ddb = await startDynamoDbLocal();
  const moto = await startMotoEgress();
  const fleet = await EgressFleet.bundle();
  const client = new DynamoDBClient({ endpoint: ddb.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const results: Measured[] = [];
  try {
    const keyed = { AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }], KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }] };
    const tables = {
      limiter: await createTestTable(client, 'bench-egress-limiter', { ...keyed, BillingMode: 'PAY_PER_REQUEST' }),
      circuits: await createTestTable(client, 'bench-egress-circuits', { ...keyed, BillingMode: 'PAY_PER_REQUEST' }),
    };
    for (let i = 0; i < runs; i++) {
      // Alternate which peer goes first, so neither always runs on the fresher machine.
      const peers: Peer[] = i % 2 === 0 ? ['RateLimitedEgress', 'plain consumer'] : ['plain consumer', 'RateLimitedEgress'];
      for (const scenario of ['healthy', 'outage'] as const) {
        for (const peer of peers) {
          const m = await measure(peer, scenario, { moto, fleet, dynamoDbEndpoint: ddb.endpoint, tables });
          process.stderr.write(`bench egress: run ${i + 1}/${runs} ${scenario} ${peer}: ${JSON.stringify(m)}\n`);
          results.push(m);
        }
      }
    }
  } finally {
    client.destroy();
    fleet.dispose();
    moto.stop();
    await ddb.stop();
  }
  const of = (peer: Peer, scenario: Scenario) => results.filter((r) => r.peer === peer && r.scenario === scenario);
  const med = (rs: Measured[], f: (r: Measured) => number) => median(rs.map(f));
  const egressHealthy = of('RateLimitedEgress', 'healthy');
  const plainHealthy = of('plain consumer', 'healthy');
  const egressOutage = of('RateLimitedEgress', 'outage');
  const plainOutage = of('plain consumer', 'outage');
  const pct = (perSecond: number) => `${fmt((100 * perSecond) / LIMIT, 1)} %`;
  const lostPerMinute = (r: Measured) => (r.deadLettered + r.lost) / OUTAGE_MINUTES;
  const summary: Array<[string, string]> = [
    [`Egress delivered events/s vs the stated limit (${LIMIT}/s), healthy partner, steady / whole run; plain consumer`,
      `${pct(med(egressHealthy, (r) => r.steadyPerSecond))} / ${pct(med(egressHealthy, (r) => r.deliveredPerSecond))} vs ` +
      `${pct(med(plainHealthy, (r) => r.steadyPerSecond))} / ${pct(med(plainHealthy, (r) => r.deliveredPerSecond))}`],
    ['Egress events dead-lettered or lost per outage minute vs plain consumer',
      `${fmt(med(egressOutage, lostPerMinute), 1)} vs ${fmt(med(plainOutage, lostPerMinute), 1)}`],
  ];
  return { title: 'Rate-limited egress', method: method(runs), body: body(results, runs), summary };
}

interface Peers {
  readonly moto: MotoEgress;
  readonly fleet: EgressFleet;
  readonly dynamoDbEndpoint: string;
  readonly tables: { limiter: string; circuits: string };
}

async function measure(peer: Peer, scenario: Scenario, { moto, fleet, dynamoDbEndpoint, tables }: Peers): Promise<Measured> {
  const buffer = await moto.buffer(`bench-${randomUUID().slice(0, 8)}`, RATE_LIMITED_EGRESS_DEFAULTS.maxReceiveCount);
  await moto.send(buffer.queueUrl, Array.from({ length: EVENTS }, (_, i) => JSON.stringify(orderEvent(i))));
  const partner = await PartnerSimulator.start({
    limitPerSecond: LIMIT,
    latencyMs: [20, 60],
    phases: scenario === 'outage' ? [{ ...OUTAGE, kind: 'outage' }] : [],
    lifetimeMs: RUN_MS + 60_000,
  });
  // The construct's settings, scaled in time as the proof test scales them; the start tolerance is the default.
  const common = scaledTask({
    partnerUrl: partner.url, limitPerSecond: LIMIT, tables, buffer, dynamoDbEndpoint, motoEndpoint: moto.endpoint, runMs: RUN_MS,
  });
  const tasks: EgressTask[] = peer === 'plain consumer'
    ? Array.from({ length: ENVIRONMENTS }, () => ({ ...common, role: 'plain' as const }))
    : [...Array.from({ length: ENVIRONMENTS }, () => ({ ...common, role: 'deliverer' as const })), { ...common, role: 'controller' as const }];
  try {
    await fleet.run(tasks);
  } finally {
    partner.stop();
  }
  const delivered = partner.delivered();
  const deliveredIds = new Set(delivered.map((r) => JSON.parse(r.body).id as string));
  const times = delivered.map((r) => r.at).sort((a, b) => a - b);
  const span = times.length > 1 ? (times[times.length - 1] - times[0]) / 1000 : 0;
  const outageSeconds = scenario === 'outage' ? (OUTAGE.toMs - OUTAGE.fromMs) / 1000 : 0;
  const deadLettered = await moto.depth(buffer.dlqUrl);
  const waiting = await moto.depth(buffer.queueUrl);
  return {
    peer,
    scenario,
    // Healthy: the rate over the delivery span. Outage: the span minus the outage, when nothing can be delivered.
    deliveredPerSecond: span > outageSeconds ? (times.length - 1) / (span - outageSeconds) : 0,
    steadyPerSecond: steadyRate(times, outageSeconds),
    delivered: deliveredIds.size,
    refused429: partner.requests.filter((r) => r.status === 429).length,
    deadLettered,
    lost: Math.max(0, EVENTS - deliveredIds.size - deadLettered - waiting),
    maxPerSecond: Math.max(0, ...partner.perSecond()),
  };
}

/** Deliveries per second over the first 90 % of them (minus the outage, which lies within them). */
function steadyRate(times: number[], outageSeconds: number): number {
  const n = Math.floor(times.length * 0.9);
  if (n < 2) return 0;
  const span = (times[n - 1] - times[0]) / 1000 - outageSeconds;
  return span > 0 ? (n - 1) / span : 0;
}

function method(runs: number): string {
  return [
    `Medians of ${runs} runs; in each run both peers meet the same scripted partner, one after the other (the order`,
    `alternates between runs). Partner: limit ${LIMIT} requests per calendar second (more get 429 with Retry-After: 1),`,
    `latency 20-60 ms; ${EVENTS} OrderPlaced events waiting in a moto SQS queue (visibility timeout 3 s, maxReceiveCount`,
    `${RATE_LIMITED_EGRESS_DEFAULTS.maxReceiveCount}, a dead-letter queue); ${ENVIRONMENTS} delivery environments, each its own OS process polling`,
    `batches of ${SCALED_BATCH_SIZE} as Lambda's poller would. RateLimitedEgress: the deployed delivery handler and drain controller`,
    '(limiter and circuit state on DynamoDB Local; the default start tolerance of 50 ms, so its schedule runs',
    'at 1/1.05 of the limit). Plain consumer: each record POSTed as received, any answer but 2xx a batch item failure.',
    `Outage: every connection reset from ${OUTAGE.fromMs / 1000} s to ${OUTAGE.toMs / 1000} s after the first request, a 10-minute outage`,
    'scaled 1/40 (open timeout 2 s, controller every 3 s). "Delivered/s" is the number of 2xx deliveries over the time',
    'from the first to the last (minus the outage); "steady" counts the first 90 % of them only (the last include records',
    'handed back to the queue, which wait out the visibility timeout with nothing else to send); "lost" is an event',
    'neither delivered, dead-lettered nor waiting.',
  ].join('\n');
}

function body(results: Measured[], runs: number): string {
  const rows: (string | number)[][] = [];
  for (const scenario of ['healthy', 'outage'] as const) {
    for (const peer of ['RateLimitedEgress', 'plain consumer'] as const) {
      const rs = results.filter((r) => r.peer === peer && r.scenario === scenario);
      const med = (f: (r: Measured) => number) => median(rs.map(f));
      rows.push([
        scenario,
        peer,
        `${fmt(med((r) => r.steadyPerSecond), 2)} (${fmt((100 * med((r) => r.steadyPerSecond)) / LIMIT, 1)} %)`,
        `${fmt(med((r) => r.deliveredPerSecond), 2)} (${fmt((100 * med((r) => r.deliveredPerSecond)) / LIMIT, 1)} %)`,
        fmt(med((r) => r.delivered), 0),
        fmt(med((r) => r.refused429), 0),
        fmt(med((r) => r.deadLettered), 0),
        fmt(med((r) => r.lost), 0),
        scenario === 'outage' ? fmt(med((r) => (r.deadLettered + r.lost) / OUTAGE_MINUTES), 1) : '-',
        fmt(Math.max(...rs.map((r) => r.maxPerSecond)), 0),
      ]);
    }
  }
  return table(
    ['scenario', 'peer', `steady delivered/s (of ${LIMIT}/s)`, 'delivered/s, whole run', `delivered (of ${EVENTS})`, '429 answers', 'dead-lettered', 'lost',
      'dead-lettered or lost per outage minute', `most requests in a second (all ${runs} runs)`],
    rows,
  );
}
