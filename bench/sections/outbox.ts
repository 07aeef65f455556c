/**
 * The transactional outbox against the post's approach, side by side in one run: per published event, DynamoDB
 * requests, write capacity and write latency on a private DynamoDB Local (the OutboxWriter's one TransactWriteItems of
 * the order and its outbox row, against one PutItem of the order alone, whose stream record the post publishes); and
 * synth time of the TransactionalOutbox construct against the same resources hand-written with aws-cdk-lib.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  AttributeValue, ConsumedCapacity, CreateTableCommand, DynamoDBClient, PutItemCommand, waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { App, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { itemBytes } from '../../lambda/runtime/outbox/sizes';
import { OutboxWriter } from '../../lambda/runtime/outbox/writer';
import { TransactionalOutbox } from '../../lib/transactional-outbox';
import { startDynamoDbLocal } from '../../scripts/dynamodb-local';
import { handWrittenFunction } from '../fixtures/hand-written-function';
import { BenchSection, fmt, median, runCount, table } from '../stats';

const WRITES = 500;
const WARMUP_WRITES = 50;
const SYNTH_WARMUP_ROUNDS = 10;
const SOURCE = 'com.example.order-service';
const KB = 1024;

/** The sample order service's order item and OrderPlaced detail (outbox-order-commands). */
export const orderItem = (orderId: string): Record<string, AttributeValue> => ({
  pk: { S: `ORDER#${orderId}` },
  sk: { S: 'ORDER' },
  status: { S: 'PLACED' },
  customerId: { S: 'c-7' },
  restaurantId: { S: 'r-3' },
  total: { N: '22.3' },
  currency: { S: 'EUR' },
  placedAt: { S: new Date().toISOString() },
});
const orderPlaced = (orderId: string) => ({
  orderId,
  customerId: 'c-7',
  restaurantId: 'r-3',
  currency: 'EUR',
  total: 22.3,
  lines: [{ sku: 'pizza', quantity: 2, unitPrice: 9.9 }, { sku: 'soda', quantity: 1, unitPrice: 2.5 }],
});

interface WritePeer {
  readonly name: string;
  /** Write units on DynamoDB for those items (transactional writes cost twice: DynamoDB pricing). */
  readonly unitsFor: (itemSizes: number[]) => number;
  /** Publishes one event; returns the capacity DynamoDB Local reported and the sizes of the items written. */
  write(orderId: string): Promise<{ reported: number; itemSizes: number[] }>;
}

interface WriteResult {
  readonly peer: WritePeer;
  readonly latencies: number[];
  readonly requests: number;
  readonly reported: number[];
  readonly computed: number[];
}

export async function run(): Promise<BenchSection> {
  process.env.JSII_DEPRECATED = 'quiet';
  process.env.CDK_DISABLE_VERSION_CHECK = '1';
  const writes = await measureWrites();
  const synth = measureSynth(runCount());
  const [outbox, post] = writes;
  const summary: Array<[string, string]> = [
    ['Outbox write per published event vs one PutItem (requests; write units computed; p50)',
      `${fmt(outbox.requests / outbox.latencies.length, 0)} vs ${fmt(post.requests / post.latencies.length, 0)}; ` +
      `${fmt(median(outbox.computed), 0)} vs ${fmt(median(post.computed), 0)}; ${fmt(median(outbox.latencies), 2)} vs ${fmt(median(post.latencies), 2)} ms`],
    ['Outbox synth time vs hand-written', `${fmt(median(synth[0].times) / median(synth[1].times), 2)}×`],
  ];
  return { title: 'Transactional outbox', method: method(synth), body: body(writes, synth), summary };
}

async function measureWrites(): Promise<WriteResult[]> {
  const ddb = await startDynamoDbLocal();
  try {
    const { client, requests: requestCount } = requestCountingClient(ddb.endpoint);
    await createTable(client, 'bench-outbox');
    await createTable(client, 'bench-post');
    const writer = new OutboxWriter({ client, tableName: 'bench-outbox', eventSource: SOURCE });
    const peers: WritePeer[] = [
      {
        name: 'OutboxWriter: order + outbox row in one TransactWriteItems',
        write: (orderId) => writeThroughOutbox(writer, 'bench-outbox', orderId),
        unitsFor: (sizes) => sizes.reduce((sum, bytes) => sum + 2 * Math.ceil(bytes / KB), 0),
      },
      {
        name: "The post's approach: the order alone, one PutItem",
        write: async (orderId) => {
          const item = orderItem(orderId);
          const output = await client.send(new PutItemCommand({ TableName: 'bench-post', Item: item, ReturnConsumedCapacity: 'TOTAL' }));
          return { reported: reportedCapacity(output.ConsumedCapacity ? [output.ConsumedCapacity] : undefined), itemSizes: [itemBytes(item)] };
        },
        unitsFor: (sizes) => sizes.reduce((sum, bytes) => sum + Math.ceil(bytes / KB), 0),
      },
    ];
    const results = peers.map((peer) => ({ peer, latencies: [] as number[], requests: 0, reported: [] as number[], computed: [] as number[] }));
    // Interleaved, so both see the same JIT state, server state and background load.
    for (let i = 0; i < WARMUP_WRITES + WRITES; i++) {
      for (const result of results) {
        const before = requestCount();
        const start = process.hrtime.bigint();
        const { reported, itemSizes } = await result.peer.write(`o-${i}-${result.peer.name.length}`);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (i < WARMUP_WRITES) continue;
        result.latencies.push(ms);
        result.requests += requestCount() - before;
        result.reported.push(reported);
        result.computed.push(result.peer.unitsFor(itemSizes));
      }
    }
    client.destroy();
    return results;
  } finally {
    await ddb.stop();
  }
}

/** A client of a local DynamoDB that counts the requests it sends. */
export function requestCountingClient(endpoint: string): { client: DynamoDBClient; requests: () => number } {
  let requests = 0;
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  client.middlewareStack.add((next) => async (args) => {
    requests++;
    return next(args);
  }, { step: 'initialize', name: 'benchCountRequests' });
  return { client, requests: () => requests };
}

/** Capacity units DynamoDB Local reported for a request. */
export const reportedCapacity = (c: ConsumedCapacity[] | undefined) => (c ?? []).reduce((sum, x) => sum + (x.CapacityUnits ?? 0), 0);

/** The sample order and its OrderPlaced event through the OutboxWriter: what DynamoDB Local reported, and the item sizes. */
export async function writeThroughOutbox(
  writer: OutboxWriter,
  tableName: string,
  orderId: string,
): Promise<{ reported: number; itemSizes: number[] }> {
  const prepared = writer.prepare({
    writes: [{ Put: { TableName: tableName, Item: orderItem(orderId), ConditionExpression: 'attribute_not_exists(pk)' } }],
    events: [{ detailType: 'OrderPlaced', aggregateId: orderId, partitionKey: `ORDER#${orderId}`, detail: orderPlaced(orderId) }],
    returnConsumedCapacity: 'TOTAL',
  });
  const { consumedCapacity } = await writer.send(prepared);
  return { reported: reportedCapacity(consumedCapacity), itemSizes: prepared.input.TransactItems!.map((i) => itemBytes(i.Put!.Item!)) };
}

export async function createTable(client: DynamoDBClient, name: string): Promise<void> {
  await client.send(new CreateTableCommand({
    TableName: name,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, { AttributeName: 'sk', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, { AttributeName: 'sk', KeyType: 'RANGE' }],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  }));
  await waitUntilTableExists({ client, maxWaitTime: 30 }, { TableName: name });
}

interface SynthResult {
  readonly name: string;
  readonly times: number[];
  readonly resources: Record<string, number>;
}

function measureSynth(runs: number): SynthResult[] {
  const peers: [string, (stack: Stack) => void][] = [
    ['`TransactionalOutbox` (this library)', (stack) => new TransactionalOutbox(stack, 'Orders', { eventSource: SOURCE, eventBusProps: {} })],
    ['Hand-written aws-cdk-lib', handWrittenOutbox],
  ];
  const results: SynthResult[] = peers.map(([name]) => ({ name, times: [], resources: {} }));
  for (let round = 0; round < SYNTH_WARMUP_ROUNDS + runs; round++) {
    for (let k = 0; k < peers.length; k++) {
      const i = (round + k) % peers.length;
      const outdir = mkdtempSync(join(tmpdir(), 'bench-outbox-'));
      try {
        const start = process.hrtime.bigint();
        const app = new App({ outdir });
        peers[i][1](new Stack(app, 'Bench'));
        const assembly = app.synth();
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (round === 0) {
          for (const resource of Object.values(assembly.getStackByName('Bench').template.Resources) as { Type: string }[]) {
            results[i].resources[resource.Type] = (results[i].resources[resource.Type] ?? 0) + 1;
          }
        }
        if (round >= SYNTH_WARMUP_ROUNDS) results[i].times.push(ms);
      } finally {
        rmSync(outdir, { recursive: true, force: true });
      }
    }
  }
  const [ours, theirs] = results;
  if (JSON.stringify(sorted(ours.resources)) !== JSON.stringify(sorted(theirs.resources))) {
    throw new Error(`hand-written outbox differs from the construct: ${JSON.stringify(sorted(theirs.resources))} vs ${JSON.stringify(sorted(ours.resources))}`);
  }
  return results;
}

const sorted = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).sort());

/** What `TransactionalOutbox` creates with a new bus, written with aws-cdk-lib: the same resources, types and counts. */
function handWrittenOutbox(stack: Stack): void {
  const ordersTable = new dynamodb.TableV2(stack, 'OrdersTable', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    sortKey: { name: 'sk', type: dynamodb.AttributeType.STRING },
    timeToLiveAttribute: 'expiresAt',
    billing: dynamodb.Billing.onDemand(),
    pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
    dynamoStream: dynamodb.StreamViewType.NEW_IMAGE,
    removalPolicy: RemovalPolicy.RETAIN,
  });
  const bus = new events.EventBus(stack, 'OrdersBus');
  const dlq = new sqs.Queue(stack, 'PipeDlq', { encryption: sqs.QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
  const enrichment = handWrittenFunction(stack, 'Enrichment', {
    asset: 'outbox-enrichment',
    description: 'Turns outbox rows from the DynamoDB stream into the events the outbox publishes',
    environment: { OUTBOX_EVENT_SOURCE: SOURCE },
    timeout: Duration.seconds(30),
  });
  (enrichment.node.defaultChild as lambda.CfnFunction).memorySize = 256;
  const logGroup = new logs.LogGroup(stack, 'PipeLogs', { retention: logs.RetentionDays.ONE_MONTH });
  const role = new iam.Role(stack, 'PipeRole', {
    assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': stack.account } } }),
  });
  ordersTable.grantStreamRead(role);
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [enrichment.functionArn] }));
  bus.grantPutEventsTo(role);
  dlq.grantSendMessages(role);
  role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [logGroup.logGroupArn] }));
  const image = (attribute: string) => `$.dynamodb.NewImage.${attribute}.S`;
  const pipe = new pipes.CfnPipe(stack, 'Pipe', {
    roleArn: role.roleArn,
    source: ordersTable.tableStreamArn!,
    sourceParameters: {
      dynamoDbStreamParameters: {
        startingPosition: 'TRIM_HORIZON',
        batchSize: 10,
        maximumRetryAttempts: 10,
        maximumRecordAgeInSeconds: 3600,
        onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
        deadLetterConfig: { arn: dlq.queueArn },
      },
      filterCriteria: { filters: [{ pattern: JSON.stringify({ eventName: ['INSERT'], dynamodb: { Keys: { sk: { S: [{ prefix: 'OUTBOX#' }] } } } }) }] },
    },
    enrichment: enrichment.functionArn,
    target: bus.eventBusArn,
    targetParameters: {
      inputTemplate: '<$.event.detail>',
      eventBridgeEventBusParameters: {
        source: SOURCE, detailType: image('outboxDetailType'), time: image('outboxOccurredAt'), resources: [image('outboxEventId')],
      },
    },
    logConfiguration: { level: 'ERROR', cloudwatchLogsLogDestination: { logGroupArn: logGroup.logGroupArn } },
  });
  pipe.node.addDependency(role);
  const alarm = (id: string, metric: cloudwatch.IMetric) => new cloudwatch.Alarm(stack, id, {
    metric,
    threshold: 1,
    evaluationPeriods: 1,
    treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  });
  alarm('PipeFailed', new cloudwatch.Metric({ namespace: 'AWS/EventBridge/Pipes', metricName: 'ExecutionFailed', dimensionsMap: { PipeName: pipe.ref }, statistic: 'Sum' }));
  alarm('DlqDepth', dlq.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }));
  alarm('EnrichmentErrors', enrichment.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }));
}

function method(synth: SynthResult[]): string {
  return [
    `**Writes** (private DynamoDB Local, ${WARMUP_WRITES} warm-up then ${WRITES} measured writes per peer, interleaved one by one): ` +
      'each write publishes one OrderPlaced event of the sample order service. The outbox peer is `OutboxWriter.prepare` + ' +
      '`send` (checks included); the post\'s peer writes the order item alone with one PutItem and relies on its stream ' +
      'record (the post publishes that raw record). Requests are counted by a middleware on the SDK client. Write units: ' +
      '"reported" is what DynamoDB Local returns for `ReturnConsumedCapacity: TOTAL` (it does not double transactional ' +
      'writes); "computed" applies DynamoDB\'s pricing rules to the item sizes (`itemBytes`, checked against DynamoDB ' +
      'Local at the 1 KB boundary in the tests): one unit per started KB per item, twice that inside a transaction. ' +
      'Latencies are wall times on this machine against a local JVM, useful only as a ratio.',
    '',
    `**Synth** (${SYNTH_WARMUP_ROUNDS} warm-up rounds, then one synth per peer per round, starting with a different peer each round): ` +
      '`new App` + the resources + `app.synth()`. The hand-written peer declares with aws-cdk-lib what the construct creates ' +
      'with a new bus (the section checks the resource counts per type match): ' +
      Object.entries(sorted(synth[0].resources)).map(([type, n]) => `${n} × ${type}`).join(', ') +
      '. It skips the validation and the table inspection the construct runs.',
  ].join('\n');
}

function body(writes: WriteResult[], synth: SynthResult[]): string {
  const percentile = (values: number[], p: number) => {
    const ascending = [...values].sort((a, b) => a - b);
    return ascending[Math.min(ascending.length - 1, Math.ceil((p / 100) * ascending.length) - 1)];
  };
  const [outbox, post] = writes;
  const writeRows = writes.map((w) => [
    w.peer.name,
    fmt(w.requests / w.latencies.length, 2),
    fmt(median(w.reported), 1),
    fmt(median(w.computed), 1),
    fmt(median(w.latencies), 2),
    fmt(percentile(w.latencies, 99), 2),
  ]);
  const synthRows = synth.map((s) => [s.name, fmt(median(s.times)), fmt(Math.min(...s.times)), fmt(Math.max(...s.times)),
    s === synth[1] ? '1.00 (baseline)' : fmt(median(s.times) / median(synth[1].times), 2)]);
  return [
    table([
      'Per published event', 'DynamoDB requests', 'Write units (reported by DynamoDB Local)', 'Write units (computed)', 'p50 write ms', 'p99 write ms',
    ], writeRows),
    '',
    `Outbox / post: ${fmt(median(outbox.computed) / median(post.computed), 1)}× the write units (computed), ` +
      `${fmt(median(outbox.latencies) / median(post.latencies), 2)}× the p50 latency, the same number of requests. ` +
      'What the extra cost buys: the event is committed with the change (the post publishes every stream record, ' +
      'updates and TTL deletions included, as raw DynamoDB JSON), and the target receives the writer\'s object.',
    '',
    table(['Synthesized with', 'Median ms', 'Min ms', 'Max ms', 'Ratio vs hand-written'], synthRows),
  ].join('\n');
}
