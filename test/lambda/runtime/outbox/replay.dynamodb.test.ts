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

/** Where an outbox image's event id sits in the stream records, for putting events in stream order. */
function streamOrder(records: PipeStreamRecord[]) {
  const ids = records.map((r) => r.dynamodb.NewImage?.eventId?.S);
  return <T extends { metadata: { eventId: string } }>(events: T[]) =>
    [...events].sort((a, b) => ids.indexOf(a.metadata.eventId) - ids.indexOf(b.metadata.eventId));
}

/**
 * A table with a business item and the first events of ORDER-1 and ORDER-2 in one transaction and, unless `laterBy`
 * is null, a second event of ORDER-1 (`later`) written `laterBy` ms after: the MODIFY of ORDER-1's outbox item,
 * which then holds only that later event.
 */
async function outboxWithEvents(target: OutboxTarget, laterBy: number | null = 0) {
  const { tableName, streamArn } = await createOutboxTable(dynamodb);
  const start = Date.now();
  let clock = start;
  const writer = new OutboxWriter({ client: dynamodb, tableName, eventSource: SOURCE, target, now: () => clock });
  const first = await writer.write({
    writes: [{ Put: { TableName: tableName, Item: { pk: { S: 'ORDER#1' }, sk: { S: 'ORDER' } } } }],
    events: [
      { detailType: 'OrderPlaced', aggregateId: 'ORDER-1', partitionKey: 'ORDER#1', detail: { orderId: '1', total: 42.5 }, expectedSequence: 0 },
      { detailType: 'OrderPlaced', aggregateId: 'ORDER-2', partitionKey: 'ORDER#2', detail: { orderId: '2', total: 7 }, expectedSequence: 0 },
    ],
  });
  let later: typeof first.events = [];
  if (laterBy !== null) {
    clock += laterBy;
    later = (await writer.write({
      events: [{ detailType: 'PaymentRequested', aggregateId: 'ORDER-1', partitionKey: 'ORDER#1', detail: { orderId: '1', amount: 42.5 }, expectedSequence: 1 }],
    })).events;
  }
  // DynamoDB Local gives a new table one shard: the business item, two outbox INSERTs, then the MODIFY.
  const records = await readStream(streams, streamArn);
  expect(records.map((r) => r.eventName)).toEqual(['INSERT', 'INSERT', 'INSERT', ...(laterBy === null ? [] : ['MODIFY'])]);
  const described = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  expect(described.StreamDescription!.Shards).toHaveLength(1);
  const shardId = described.StreamDescription!.Shards![0].ShardId!;
  return { tableName, streamArn, shardId, records, start: new Date(start), first: streamOrder(records)([...first.events]), later: [...later] };
}

function replayer(options: Partial<OutboxReplayerOptions> & Pick<OutboxReplayerOptions, 'deadLetterQueueUrl'>): OutboxReplayer {
  return new OutboxReplayer({ eventSource: SOURCE, sqs, dynamodb, streams, eventBridge, ...options });
}

/** A dead-letter message for `batch`, sent to a new dead-letter queue. */
async function deadLetterQueueWith(outbox: { streamArn: string; shardId: string }, batch: PipeStreamRecord[], arrival?: Date): Promise<string> {
  const url = await queue();
  await sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: pipeDeadLetter(outbox.streamArn, outbox.shardId, batch, arrival) }));
  return url;
}

const envelopes = (events: readonly { metadata: unknown; data: unknown }[]) => events.map((e) => ({ metadata: e.metadata, data: e.data }));
const idsOf = (events: readonly { metadata: { eventId: string } }[]) => events.map((e) => e.metadata.eventId);

test('the dead-letter message is batch metadata; the replayer reads it as Pipes writes it', () => {
  const info = streamBatchInfoOf(pipeDeadLetter('arn:aws:dynamodb:us-east-1:1:table/t/stream/x', 'shardId-0001', [
    { eventID: 'e', eventName: 'INSERT', eventSource: 'aws:dynamodb', eventSourceARN: '', dynamodb: { Keys: {}, ApproximateCreationDateTime: 0, SequenceNumber: '100' } },
  ]));
  expect(info).toMatchObject({ startSequenceNumber: '100', endSequenceNumber: '100', streamArn: 'arn:aws:dynamodb:us-east-1:1:table/t/stream/x' });
  expect(() => streamBatchInfoOf('{"Records":[]}')).toThrow(/no DDBStreamBatchInfo/);
});

test('FIFO target: the dead-lettered events are republished from the stream, not the table, even after a later event of the aggregate', async () => {
  const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE);
  const { records, first, later } = outbox;
  // The failed batch: the business item (filtered out by the pipe) and the two first events. ORDER-1's outbox item
  // has since moved on to its second event (sequence 2): a re-read of the table would publish that one instead.
  const dlq = await deadLetterQueueWith(outbox, records.slice(0, 3));
  const target = await queue(true);

  const reports = await replayer({ deadLetterQueueUrl: dlq, queueUrl: target }).replayAll();

  expect(reports).toEqual([expect.objectContaining({ outcome: ReplayOutcome.REPLAYED, eventIds: idsOf(first) })]);
  const delivered = await drain(target);
  // Exactly what the writer said the target would receive (sequence 1 each), and not the later event.
  expect(delivered).toEqual(envelopes(first));
  expect(delivered.map((d) => d.metadata.sequence)).toEqual([1, 1]);
  expect(delivered.map((d) => d.metadata.eventId)).not.toContain(later[0].metadata.eventId);
  expect(await messageCount(dlq)).toBe(0);
});

test('a dead-lettered MODIFY (an aggregate\'s later event) is republished with its sequence', async () => {
  const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE);
  const { records, later } = outbox;
  const dlq = await deadLetterQueueWith(outbox, records.slice(3, 4));
  const target = await queue(true);

  const reports = await replayer({ deadLetterQueueUrl: dlq, queueUrl: target }).replayAll();

  expect(reports).toEqual([expect.objectContaining({ outcome: ReplayOutcome.REPLAYED, eventIds: idsOf(later) })]);
  const delivered = await drain(target);
  expect(delivered).toEqual(envelopes(later));
  expect(delivered[0].metadata.sequence).toBe(2);
  expect(await messageCount(dlq)).toBe(0);
});

test('replaying the same batch twice: FIFO deduplication by event id delivers each event once', async () => {
  const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE);
  const { records, first } = outbox;
  const dlq = await deadLetterQueueWith(outbox, records.slice(1, 3));
  await sqs.send(new SendMessageCommand({ QueueUrl: dlq, MessageBody: pipeDeadLetter(outbox.streamArn, outbox.shardId, records.slice(1, 3)) }));
  const target = await queue(true);

  const reports = await replayer({ deadLetterQueueUrl: dlq, queueUrl: target }).replayAll();

  expect(reports.map((r) => r.outcome)).toEqual([ReplayOutcome.REPLAYED, ReplayOutcome.REPLAYED]);
  expect((await drain(target)).map((d) => d.metadata.eventId)).toEqual(idsOf(first));
});

test('bus target: the events reach the bus as the pipe would send them (a rule forwards them to a queue)', async () => {
  const outbox = await outboxWithEvents(OutboxTarget.EVENT_BUS);
  const { records, first, later } = outbox;
  const dlq = await deadLetterQueueWith(outbox, records);
  const observed = await queue();
  const bus = `orders-${queueCounter}`;
  await eventBridge.send(new CreateEventBusCommand({ Name: bus }));
  await eventBridge.send(new PutRuleCommand({ Name: 'observe', EventBusName: bus, EventPattern: JSON.stringify({ source: [SOURCE] }) }));
  const observedArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: observed, AttributeNames: ['QueueArn'] }))).Attributes!.QueueArn;
  await eventBridge.send(new PutTargetsCommand({ Rule: 'observe', EventBusName: bus, Targets: [{ Id: 'q', Arn: observedArn }] }));

  const reports = await replayer({ deadLetterQueueUrl: dlq, eventBusName: bus }).replayAll();

  expect(reports).toEqual([expect.objectContaining({ outcome: ReplayOutcome.REPLAYED })]);
  const events = await drain(observed);
  // Both events of ORDER-1 (sequences 1 and 2) and ORDER-2's, in stream order.
  expect(events.map((e) => [e.source, e['detail-type'], e.resources, e.time, e.detail])).toEqual([...first, ...later].map((e) => [
    SOURCE, e.metadata.detailType, [e.metadata.eventId], e.metadata.occurredAt.replace(/\.\d{3}Z$/, 'Z'), { metadata: e.metadata, data: e.data },
  ]));
  expect(await messageCount(dlq)).toBe(0);
});

test('a target that refuses: the message stays in the dead-letter queue, to be replayed later', async () => {
  const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE);
  const { records, first } = outbox;
  const dlq = await deadLetterQueueWith(outbox, records.slice(0, 3));
  const missing = `${moto.endpoint}/123456789012/no-such-queue.fifo`;

  const reports = await replayer({ deadLetterQueueUrl: dlq, queueUrl: missing, visibilityTimeoutSeconds: 1 }).replayAll();

  expect(reports).toEqual([expect.objectContaining({ outcome: ReplayOutcome.FAILED, eventIds: idsOf(first) })]);
  expect(await messageCount(dlq)).toBe(1);
  // Once the target exists, the same message replays.
  const target = await queue(true);
  await new Promise((r) => setTimeout(r, 1500));
  const again = await replayer({ deadLetterQueueUrl: dlq, queueUrl: target }).replayAll();
  expect(again.map((r) => r.outcome)).toEqual([ReplayOutcome.REPLAYED]);
  expect(await messageCount(dlq)).toBe(0);
});

describe('after the stream\'s 24 hours (the table holds each aggregate\'s latest event only)', () => {
  const TWO_HOURS = 2 * 3_600_000;
  const tomorrow = (arrival: Date) => () => arrival.getTime() + 25 * 3_600_000;

  test('kept by default; SCAN_TIME_WINDOW needs the table', async () => {
    const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE, null);
    const dlq = await deadLetterQueueWith(outbox, outbox.records, outbox.start);
    const target = await queue(true);
    const kept = await replayer({ deadLetterQueueUrl: dlq, queueUrl: target, now: tomorrow(outbox.start) }).replayAll();
    expect(kept).toEqual([expect.objectContaining({ outcome: ReplayOutcome.KEPT, reason: expect.stringMatching(/left the stream/) })]);
    expect(await messageCount(dlq)).toBe(1);
    expect(await messageCount(target)).toBe(0);
    expect(() => replayer({ deadLetterQueueUrl: dlq, queueUrl: target, expiredBatches: ExpiredBatchPolicy.SCAN_TIME_WINDOW }))
      .toThrow(/give tableName/);
  });

  test('no aggregate moved on: every event of the window is republished and the message deleted', async () => {
    const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE, null);
    const { tableName, records, first } = outbox;
    const dlq = await deadLetterQueueWith(outbox, records, outbox.start);
    const target = await queue(true);

    const scanned = await replayer({
      deadLetterQueueUrl: dlq, tableName, queueUrl: target, now: tomorrow(outbox.start), expiredBatches: ExpiredBatchPolicy.SCAN_TIME_WINDOW,
    }).replayAll();

    const inIdOrder = [...first].sort((a, b) => a.metadata.eventId.localeCompare(b.metadata.eventId));
    expect(scanned).toEqual([expect.objectContaining({
      outcome: ReplayOutcome.REPLAYED, eventIds: idsOf(inIdOrder), unrecoverable: { aggregatesMovedPast: 0, aggregateIds: [] },
    })]);
    expect(await drain(target)).toEqual(envelopes(inIdOrder));
    expect(await messageCount(dlq)).toBe(0);
  });

  test.each([
    ['two hours after the window', TWO_HOURS, false],
    ['within the window', 0, true],
  ])('an aggregate with a later event %s: its overwritten event is reported lost, the message kept', async (_when, laterBy, laterInWindow) => {
    const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE, laterBy);
    const { tableName, records, first, later } = outbox;
    // The batch held the two first events; ORDER-1's outbox item now holds its second event.
    const dlq = await deadLetterQueueWith(outbox, records.slice(0, 3), outbox.start);
    const target = await queue(true);

    const scanned = await replayer({
      deadLetterQueueUrl: dlq, tableName, queueUrl: target, now: tomorrow(outbox.start), expiredBatches: ExpiredBatchPolicy.SCAN_TIME_WINDOW,
    }).replayAll();

    // Recoverable: ORDER-2's event (still its latest) and, if made in the window, ORDER-1's later event (a superset).
    const order2 = first.filter((e) => e.metadata.aggregateId === 'ORDER-2');
    const published = laterInWindow ? [...order2, ...later].sort((a, b) => a.metadata.eventId.localeCompare(b.metadata.eventId)) : order2;
    expect(scanned).toEqual([expect.objectContaining({
      outcome: ReplayOutcome.PARTIAL,
      eventIds: idsOf(published),
      reason: expect.stringMatching(/1 aggregates moved past/),
      unrecoverable: { aggregatesMovedPast: 1, aggregateIds: ['ORDER-1'] },
    })]);
    const delivered = await drain(target);
    expect(delivered).toEqual(envelopes(published));
    // ORDER-1's first event cannot come back: the table no longer holds it.
    expect(delivered.map((d) => d.metadata.eventId)).not.toContain(first.find((e) => e.metadata.aggregateId === 'ORDER-1')!.metadata.eventId);
    expect(await messageCount(dlq)).toBe(1);
  });
});

test('a dry run resolves the events but publishes and deletes nothing', async () => {
  const outbox = await outboxWithEvents(OutboxTarget.FIFO_QUEUE);
  const { records, first } = outbox;
  const dlq = await deadLetterQueueWith(outbox, records.slice(0, 3));
  const target = await queue(true);
  const reports = await replayer({ deadLetterQueueUrl: dlq, queueUrl: target, dryRun: true, visibilityTimeoutSeconds: 1 }).replayAll();
  expect(reports).toEqual([expect.objectContaining({ outcome: ReplayOutcome.REPLAYED, eventIds: idsOf(first) })]);
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
    const { records, first } = outbox;
    const dlq = await deadLetterQueueWith(outbox, records.slice(0, 3));
    const target = await queue(true);

    // No table: within the stream's 24 hours the events come from the stream alone.
    const run = cli(['--dead-letter-queue-url', dlq, '--event-source', SOURCE, '--queue-url', target]);

    expect(run.stderr).toContain('1 of 1 dead-letter messages replayed');
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout.trim())).toMatchObject({ outcome: 'REPLAYED', eventIds: idsOf(first) });
    expect(await drain(target)).toEqual(envelopes(first));
  });

  test('refuses incomplete arguments with its usage', () => {
    for (const args of [
      ['--table', 't', '--event-source', SOURCE, '--queue-url', 'q'],
      ['--dead-letter-queue-url', 'd', '--event-source', SOURCE, '--queue-url', 'q', '--expired', 'scan'],
    ]) {
      const run = cli(args);
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/^usage: cdk-serverless-patterns-outbox-replay --dead-letter-queue-url URL/);
    }
  });
});
