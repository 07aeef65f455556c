/**
 * The dead-letter replay against real peers: outbox rows and their stream on DynamoDB Local, the pipe's dead-letter
 * queue, the FIFO target and the bus (a rule forwarding to a queue the test reads) on moto. Dead-letter messages are
 * shaped as Pipes writes them for a DynamoDB stream source (batch metadata only).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { CreateEventBusCommand, EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient,
} from '@aws-sdk/client-sqs';
import { createOutboxTable, localStreamsClient, PipeStreamRecord, readStream } from './local-stream';
import { OutboxTarget } from '../../../../lambda/runtime/outbox/config';
import { ExpiredBatchPolicy, OutboxReplayer, OutboxReplayerOptions, ReplayOutcome, streamBatchInfoOf } from '../../../../lambda/runtime/outbox/replay';
import { OutboxWriter } from '../../../../lambda/runtime/outbox/writer';
import { dynamoDbLocalEndpoint, localDynamoDbClient } from '../../../support/dynamodb-local';
import { MOTO_CREDENTIALS, MotoServer, startMotoServer } from '../../../support/moto-server';

jest.setTimeout(120_000);

const SOURCE = 'com.example.orders';
let moto: MotoServer;
let dynamodb: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let sqs: SQSClient;
let eventBridge: EventBridgeClient;
let queueCounter = 0;

beforeAll(async () => {
  moto = await startMotoServer();
  dynamodb = localDynamoDbClient();
  streams = localStreamsClient();
  sqs = new SQSClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
  eventBridge = new EventBridgeClient({ endpoint: moto.endpoint, region: 'us-east-1', credentials: MOTO_CREDENTIALS });
});
afterAll(() => {
  for (const c of [dynamodb, streams, sqs, eventBridge]) c?.destroy();
  moto?.stop();
});

async function queue(fifo = false): Promise<string> {
  const name = `q${++queueCounter}${fifo ? '.fifo' : ''}`;
  return (await sqs.send(new CreateQueueCommand({ QueueName: name, Attributes: fifo ? { FifoQueue: 'true' } : {} }))).QueueUrl!;
}

async function messageCount(url: string): Promise<number> {
  const { Attributes: a } = await sqs.send(new GetQueueAttributesCommand({
    QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return Number(a!.ApproximateNumberOfMessages) + Number(a!.ApproximateNumberOfMessagesNotVisible);
}

async function drain(url: string): Promise<any[]> {
  const bodies: any[] = [];
  for (;;) {
    const { Messages: messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 60 }));
    if (messages.length === 0) return bodies;
    bodies.push(...messages.map((m) => JSON.parse(m.Body!)));
  }
}

/** The dead-letter message Pipes writes for a failed batch of a DynamoDB stream source: metadata, no records. */
function pipeDeadLetter(streamArn: string, shardId: string, batch: PipeStreamRecord[], arrival = new Date()): string {
  return JSON.stringify({
    context: { partnerResourceArn: 'arn:aws:pipes:us-east-1:123456789012:pipe/outbox', condition: 'RetryAttemptsExhausted' },
    version: '1.0',
    timestamp: arrival.toISOString(),
    DDBStreamBatchInfo: {
      shardId,
      startSequenceNumber: batch[0].dynamodb.SequenceNumber,
      endSequenceNumber: batch[batch.length - 1].dynamodb.SequenceNumber,
      approximateArrivalOfFirstRecord: arrival.toISOString().replace(/\.\d{3}/, ''),
      approximateArrivalOfLastRecord: arrival.toISOString().replace(/\.\d{3}/, ''),
      batchSize: batch.length,
      streamArn,
    },
  });
}

/** A table with two committed transactions (a business item and two events, then one more event). */
async function outboxWithEvents(target: OutboxTarget) {
  const { tableName, streamArn } = await createOutboxTable(dynamodb);
  const writer = new OutboxWriter({ client: dynamodb, tableName, eventSource: SOURCE, target });
  const first = await writer.write({
    writes: [{ Put: { TableName: tableName, Item: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' } } } }],
    events: [
      { detailType: 'OrderPlaced', aggregateId: 'ORDER-1', partitionKey: 'ORDER#1', detail: { orderId: '1', total: 42.5 } },
      { detailType: 'PaymentRequested', aggregateId: 'ORDER-1', partitionKey: 'ORDER#1', detail: { orderId: '1', amount: 42.5 } },
    ],
  });
  const second = await writer.write({ events: [{ detailType: 'OrderShipped', aggregateId: 'ORDER-2', detail: { orderId: '2' } }] });
  // DynamoDB Local gives a new table one shard: the business item, two outbox rows, then the third row.
  const records = await readStream(streams, streamArn);
  const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  expect(described.StreamDescription!.Shards).toHaveLength(1);
  const shardId = described.StreamDescription!.Shards![0].ShardId!;
  return { tableName, streamArn, shardId, records, first: first.events, second: second.events };
}

function replayer(options: Partial<OutboxReplayerOptions> & Pick<OutboxReplayerOptions, 'deadLetterQueueUrl' | 'tableName'>): OutboxReplayer {
  return new OutboxReplayer({ eventSource: SOURCE, sqs, dynamodb, streams, eventBridge, ...options });
}

/** A dead-letter message for `batch`, sent to a new dead-letter queue. */
async function deadLetterQueueWith(outbox: { streamArn: string; shardId: string }, batch: PipeStreamRecord[], arrival?: Date): Promise<string> {
  const url = await queue();
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: pipeDeadLetter(outbox.streamArn, outbox.shardId, batch, arrival) }));
  return url;
}

test('the dead-letter message is batch metadata; the replayer reads it as Pipes writes it', () => {
  const info = streamBatchInfoOf(pipeDeadLetter('arn:aws:dynamodb:us-east-1:1:table/t/stream/x', 'shardId-0001', [
    { eventID: 'e', eventName: 'INSERT', eventSource: 'aws:dynamodb', eventSourceARN: '', dynamodb: { Keys: {}, ApproximateCreationDateTime: 0, SequenceNumber: '100' } },
  ]));
  expect(info).toMatchObject({ startSequenceNumber: '100', endSequenceNumber: '100', streamArn: 'arn:aws:dynamodb:us-east-1:1:table/t/stream/x' });
  expect(() => streamBatchInfoOf('{"Records":[]}')).toThrow(/no DDBStreamBatchInfo/);
});

test('FIFO target: the batch\'s events are republished in order, with their ids as group and deduplication; the message is deleted', async () => {
  const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE);
  const { tableName, records, first, second } = outbox;
  // The failed batch: the business item (filtered out by the pipe) and the first transaction's two outbox rows.
  const dlq = await deadLetterQueueWith(outbox, records.slice(0, 3));
  const target = await queue(true);

  const reports = await replayer({ deadLetterQueueUrl: dlq, tableName, queueUrl: target }).replayAll();

  expect(reports).toEqual([expect.objectContaining({ outcome: ReplayOutcome.REPLAYED, eventIds: first.map((e) => e.metadata.eventId) })]);
  const delivered = await drain(target);
  // Exactly what the writer said the target would receive, and nothing of the other transaction.
  expect(delivered).toEqual(first.map((e) => ({ metadata: e.metadata, data: e.data })));
  expect(delivered.map((d) => d.metadata.eventId)).not.toContain(second[0].metadata.eventId);
  expect(await messageCount(dlq)).toBe(0);
});

test('replaying the same batch twice: FIFO deduplication by event id delivers each event once', async () => {
  const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE);
  const { tableName, records, first } = outbox;
  const dlq = await deadLetterQueueWith(outbox, records.slice(1, 3));
  await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: pipeDeadLetter(outbox.streamArn, outbox.shardId, records.slice(1, 3)) }));
  const target = await queue(true);

  const reports = await replayer({ deadLetterQueueUrl: dlq, tableName, queueUrl: target }).replayAll();

  expect(reports.map((r) => r.outcome)).toEqual([ReplayOutcome.REPLAYED, ReplayOutcome.REPLAYED]);
  expect((await drain(target)).map((d) => d.metadata.eventId)).toEqual(first.map((e) => e.metadata.eventId));
});

test('bus target: the events reach the bus as the pipe would send them (a rule forwards them to a queue)', async () => {
  const outbox = await outboxWithEvents(OutboxTarget.EVENT_BUS);
  const { tableName, records, first } = outbox;
  const dlq = await deadLetterQueueWith(outbox, records.slice(0, 3));
  const observed = await queue();
  const bus = `orders-${queueCounter}`;
  await eventBridge.send(new CreateEventBusCommand({ Name: bus }));
  await eventBridge.send(new PutRuleCommand({ Name: 'observe', EventBusName: bus, EventPattern: JSON.stringify({ source: [SOURCE] }) }));
  const observedArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: observed, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  await eventBridge.send(new PutTargetsCommand({ Rule: 'observe', EventBusName: bus, Targets: [{ Id: 'q', Arn: observedArn }] }));

  const reports = await replayer({ deadLetterQueueUrl: dlq, tableName, eventBusName: bus }).replayAll();

  expect(reports).toEqual([expect.objectContaining({ outcome: ReplayOutcome.REPLAYED })]);
  const events = await drain(observed);
  expect(events.map((e) => [e.source, e['detail-type'], e.resources, e.time, e.detail])).toEqual(first.map((e) => [
    SOURCE, e.metadata.detailType, [e.metadata.eventId], e.metadata.occurredAt.replace(/\.\d{3}Z$/, 'Z'), { metadata: e.metadata, data: e.data },
  ]));
  expect(await messageCount(dlq)).toBe(0);
});

test('a target that refuses: the message stays in the dead-letter queue, to be replayed later', async () => {
  const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE);
  const { tableName, records, first } = outbox;
  const dlq = await deadLetterQueueWith(outbox, records.slice(0, 3));
  const missing = `${moto.endpoint}/123456789012/no-such-queue.fifo`;

  const reports = await replayer({ deadLetterQueueUrl: dlq, tableName, queueUrl: missing, visibilityTimeoutSeconds: 1 }).replayAll();

  expect(reports).toEqual([expect.objectContaining({ outcome: ReplayOutcome.FAILED, eventIds: first.map((e) => e.metadata.eventId) })]);
  expect(await messageCount(dlq)).toBe(1);
  // Once the target exists, the same message replays.
  const target = await queue(true);
  await new Promise((r) => setTimeout(r, 1500));
  const again = await replayer({ deadLetterQueueUrl: dlq, tableName, queueUrl: target }).replayAll();
  expect(again.map((r) => r.outcome)).toEqual([ReplayOutcome.REPLAYED]);
  expect(await messageCount(dlq)).toBe(0);
});

test('after the stream\'s 24 hours: kept by default; with SCAN_TIME_WINDOW every outbox row of the window is republished', async () => {
  const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE);
  const { tableName, records, first, second } = outbox;
  const arrival = new Date();
  const dlq = await deadLetterQueueWith(outbox, records.slice(0, 3), arrival);
  const target = await queue(true);
  const tomorrow = () => arrival.getTime() + 25 * 3_600_000;

  const kept = await replayer({ deadLetterQueueUrl: dlq, tableName, queueUrl: target, now: tomorrow, visibilityTimeoutSeconds: 1 }).replayAll();
  expect(kept).toEqual([expect.objectContaining({ outcome: ReplayOutcome.KEPT, reason: expect.stringMatching(/left the stream/) })]);
  expect(await messageCount(dlq)).toBe(1);
  await new Promise((r) => setTimeout(r, 1500));

  const scanned = await replayer({
    deadLetterQueueUrl: dlq, tableName, queueUrl: target, now: tomorrow, expiredBatches: ExpiredBatchPolicy.SCAN_TIME_WINDOW,
  }).replayAll();
  // A superset: the batch's two events and the other transaction's, in event id (time) order.
  const all = [...first, ...second].map((e) => e.metadata.eventId);
  expect(scanned).toEqual([expect.objectContaining({ outcome: ReplayOutcome.REPLAYED, eventIds: all })]);
  expect((await drain(target)).map((d) => d.metadata.eventId)).toEqual(all);
  expect(await messageCount(dlq)).toBe(0);
});

test('a dry run resolves the events but publishes and deletes nothing', async () => {
  const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE);
  const { tableName, records, first } = outbox;
  const dlq = await deadLetterQueueWith(outbox, records.slice(0, 3));
  const target = await queue(true);
  const reports = await replayer({ deadLetterQueueUrl: dlq, tableName, queueUrl: target, dryRun: true, visibilityTimeoutSeconds: 1 }).replayAll();
  expect(reports).toEqual([expect.objectContaining({ outcome: ReplayOutcome.REPLAYED, eventIds: first.map((e) => e.metadata.eventId) })]);
  expect(await messageCount(target)).toBe(0);
  expect(await messageCount(dlq)).toBe(1);
});

describe('the command', () => {
  const cli = (args: string[]) => spawnSync(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '..', '..', '..', '..', 'lambda', 'runtime', 'outbox', 'replay-cli.ts'), ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      TS_NODE_PROJECT: join(__dirname, '..', '..', '..', '..', 'tsconfig.dev.json'),
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'local',
      AWS_SECRET_ACCESS_KEY: 'local',
      AWS_ENDPOINT_URL_SQS: moto.endpoint,
      AWS_ENDPOINT_URL_EVENTBRIDGE: moto.endpoint,
      AWS_ENDPOINT_URL_DYNAMODB: dynamoDbLocalEndpoint(),
      AWS_ENDPOINT_URL_DYNAMODB_STREAMS: dynamoDbLocalEndpoint(),
    },
  });

  test('replays in a process of its own and reports one JSON line per message', async () => {
    const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE);
    const { tableName, records, first } = outbox;
    const dlq = await deadLetterQueueWith(outbox, records.slice(0, 3));
    const target = await queue(true);

    const run = cli(['--dead-letter-queue-url', dlq, '--table', tableName, '--event-source', SOURCE, '--queue-url', target]);

    expect(run.stderr).toContain('1 of 1 dead-letter messages replayed');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ outcome: 'REPLAYED', eventIds: first.map((e) => e.metadata.eventId) });
    expect((await drain(target)).map((d) => d.metadata.eventId)).toEqual(first.map((e) => e.metadata.eventId));
  });

  test('refuses incomplete arguments with its usage', () => {
    const run = cli(['--table', 't', '--event-source', SOURCE, '--queue-url', 'q']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^usage: cdk-serverless-patterns-outbox-replay --dead-letter-queue-url URL/);
  });
});
