/**
 * Run time of the ServerlessPatternsChecks pack against cdk-nag's AwsSolutions pack (and its ServerlessChecks) on
 * the same generated app of several hundred serverless resources, each pack applied to the whole app the way an
 * app entry point applies it (`validateScope(app)`). The packs only read the tree, so the app is built once and
 * every run sees the same one; rounds interleave the packs, each round starting with the next one.
 */
import { App, CfnResource, Duration, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks, NagPack, ServerlessChecks } from 'cdk-nag';
import { Construct } from 'constructs';
import { ServerlessPatternsChecks } from '../../lib/nag/packs/serverless-patterns';
import { BenchSection, fmt, median, runCount, table } from '../stats';

/** Services whose resources count as "serverless" for the ≥ 500 target. */
const SERVERLESS_TYPES = /^AWS::(SQS|SNS|Lambda|Events|Pipes|DynamoDB|Logs)::/;
/** Units per stack and stacks: 3 × 25 units of about 20 resources, with references across the stacks. */
const STACKS = 3;
const UNITS_PER_STACK = 25;
const WARMUP_ROUNDS = 2;

interface PackPeer {
  readonly name: string;
  readonly create: () => NagPack;
}

const PEERS: PackPeer[] = [
  { name: 'ServerlessPatternsChecks (this library)', create: () => new ServerlessPatternsChecks() },
  { name: 'AwsSolutionsChecks (cdk-nag)', create: () => new AwsSolutionsChecks() },
  { name: 'ServerlessChecks (cdk-nag)', create: () => new ServerlessChecks() },
];

export async function run(): Promise<BenchSection> {
  process.env.JSII_DEPRECATED = 'quiet';
  const runs = runCount();
  const app = generatedApp();
  const counts = countResources(app);
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
  const medians = times.map(median);
  const reference = medians[1];
  const method = [
    `One generated app (${STACKS} stacks × ${UNITS_PER_STACK} units; each unit a queue with its dead-letter queue, a consumer function with`,
    'its role, policy and log group, an SQS event source, a topic with a queue and a function subscription, an EventBridge rule with a',
    'queue target, a DynamoDB table with a stream and a pipe to a bus, alarms; queues and buses shared across stacks), plain aws-cdk-lib',
    `L2s and an L1 pipe. Each pack runs \`validateScope(app)\` ${runs} times after ${WARMUP_ROUNDS} warm-up rounds, interleaved in one`,
    'process (each round starts with the next pack); medians reported. Findings counted per resource.',
  ].join('\n');
  const body = [
    `App: ${total(counts)} resources, ${serverless(counts)} of them serverless (SQS, SNS, Lambda, EventBridge, Pipes, DynamoDB, Logs).`,
    '',
    table(
      ['pack', 'median (ms)', 'min (ms)', 'max (ms)', 'vs AwsSolutions', 'findings'],
      PEERS.map((peer, i) => [
        peer.name, fmt(medians[i]), fmt(Math.min(...times[i])), fmt(Math.max(...times[i])), `${fmt(medians[i] / reference, 2)}×`, findings[i],
      ]),
    ),
  ].join('\n');
  const summary: Array<[string, string]> = [[
    `ServerlessPatternsChecks run time on ${total(counts)} resources vs AwsSolutions`,
    PEERS.map((peer, i) => `${peer.name} ${fmt(medians[i])} ms (${fmt(medians[i] / reference, 2)}×)`).join('; '),
  ]];
  return { title: 'cdk-nag pack run time', method, body, summary };
}

/** The benchmark app: units of the serverless messaging resources the pack's relational rules look across. */
function generatedApp(): App {
  const app = new App();
  const stacks = Array.from({ length: STACKS }, (_, s) => new Stack(app, `Nag${s}`));
  const sharedBus = new events.EventBus(stacks[0], 'SharedBus');
  stacks.forEach((stack, s) => {
    for (let n = 0; n < UNITS_PER_STACK; n++) {
      // Every other unit reads a queue of the previous stack: cross-stack references for the relational rules.
      const queueHome = n % 2 === 1 && s > 0 ? stacks[s - 1] : stack;
      unit(stack, queueHome, `U${s}x${n}`, sharedBus);
    }
  });
  return app;
}

function unit(scope: Stack, queueHome: Stack, id: string, bus: events.IEventBus): void {
  const dlq = new sqs.Queue(queueHome, `${id}Dlq`, { retentionPeriod: Duration.days(14), enforceSSL: true });
  const queue = new sqs.Queue(queueHome, `${id}Queue`, {
    visibilityTimeout: Duration.seconds(unitNumber(id) % 3 === 0 ? 30 : 120), enforceSSL: true, deadLetterQueue: { queue: dlq, maxReceiveCount: 3 },
  });
  const consumer = new lambda.Function(scope, `${id}Consumer`, {
    runtime: lambda.Runtime.NODEJS_22_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
    timeout: Duration.seconds(15),
    logGroup: new logs.LogGroup(scope, `${id}Logs`, { retention: logs.RetentionDays.ONE_MONTH }),
  });
  consumer.addEventSource(new sources.SqsEventSource(queue, { reportBatchItemFailures: unitNumber(id) % 2 === 0 }));
  queue.metricApproximateAgeOfOldestMessage().createAlarm(scope, `${id}Age`, { threshold: 300, evaluationPeriods: 3 });
  dlq.metricApproximateNumberOfMessagesVisible().createAlarm(queueHome, `${id}Depth`, { threshold: 1, evaluationPeriods: 1 });

  const topic = new sns.Topic(scope, `${id}Topic`);
  topic.addSubscription(new subscriptions.SqsSubscription(new sqs.Queue(scope, `${id}Fanout`, { enforceSSL: true }), { deadLetterQueue: dlq }));
  topic.addSubscription(new subscriptions.LambdaSubscription(consumer));
  new events.Rule(scope, `${id}Rule`, { eventBus: bus, eventPattern: { source: [id] } }).addTarget(
    new targets.SqsQueue(queue, { deadLetterQueue: dlq }),
  );
  streamToBus(scope, id, bus, dlq);
}

function streamToBus(scope: Construct, id: string, bus: events.IEventBus, dlq: sqs.IQueue): void {
  const changes = new dynamodb.Table(scope, `${id}Table`, {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING }, stream: dynamodb.StreamViewType.NEW_IMAGE, timeToLiveAttribute: 'ttl',
  });
  const role = new iam.Role(scope, `${id}PipeRole`, { assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com') });
  changes.grantStreamRead(role);
  bus.grantPutEventsTo(role);
  new pipes.CfnPipe(scope, `${id}Pipe`, {
    roleArn: role.roleArn,
    source: changes.tableStreamArn!,
    target: bus.eventBusArn,
    sourceParameters: {
      dynamoDbStreamParameters: { startingPosition: 'TRIM_HORIZON', batchSize: 10, maximumRetryAttempts: 5, deadLetterConfig: { arn: dlq.queueArn } },
      filterCriteria: { filters: [{ pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
    },
  });
}

/** The unit number in an id like `U1x7`, to vary settings (and so findings) across units. */
function unitNumber(id: string): number {
  return Number(id.split('x')[1]);
}

/** Resources per CloudFormation type, from the construct tree (no synthesis: the packs run on the tree as built). */
function countResources(app: App): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const node of app.node.findAll().filter(CfnResource.isCfnResource)) {
    counts[node.cfnResourceType] = (counts[node.cfnResourceType] ?? 0) + 1;
  }
  return counts;
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((a, b) => a + b, 0);
}

function serverless(counts: Record<string, number>): number {
  return Object.entries(counts).filter(([type]) => SERVERLESS_TYPES.test(type)).reduce((a, [, n]) => a + n, 0);
}
