/**
 * In change-capture mode nothing checks an item before it is written (an API Gateway service integration writes
 * straight to the table), so a captured change the enrichment cannot publish (no sequence, a sequence of the wrong
 * type, an event too large for the target's request) must not take the good events of its batch with it: the
 * deployed capture enrichment sets it aside on the malformed-image queue (here moto's SQS), counts it in the same EMF
 * metric as the outbox enrichment, and returns the rest of the batch. Run on real stream records from DynamoDB Local,
 * through the filter and with the environment the construct synthesizes.
 */
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { captureEnrichmentHandler, SynthesizedCapture, synthesizedCapture } from './synthesized-capture';
import { maxOutboxEventBytes, OutboxTarget } from '../../../lib/transactional-outbox/contract';
import { localDynamoDbClient } from '../../support/dynamodb-local';
import { matchesPattern } from '../outbox-enrichment/pipe-semantics';
import { expectedMalformedMetric, useSetAsidePeers } from '../outbox-enrichment/set-aside-peers';
import { createOutboxTable, localStreamsClient, PipeStreamRecord, readStream } from '../runtime/outbox/local-stream';

const SOURCE = 'com.example.orders';
const FUNCTION_NAME = 'OutboxCaptureEnrichment-test';
const CAPTURED = ['orderId', 'status'];
/** The FIFO target with the default batch of 10: 1 MiB per SendMessageBatch, so at most 104,857 bytes per event. */
const CAP = maxOutboxEventBytes(OutboxTarget.FIFO_QUEUE, 10);

let client: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let pipe: SynthesizedCapture;
let singles: SynthesizedCapture;
let batch: PipeStreamRecord[];
const peers = useSetAsidePeers('outbox-capture-malformed-images', FUNCTION_NAME);

/** One write of an Order item as a client would make it (through API Gateway: no code in between). */
async function writeOrder(tableName: string, id: string, fields: Record<string, any>): Promise<void> {
  await client.send(new PutItemCommand({
    TableName: tableName,
    Item: { pk: { S: `ORDER#${id}` }, sk: { S: 'ORDER' }, type: { S: 'Order' }, orderId: { S: id }, ...fields },
  }));
}

beforeAll(async () => {
  client = localDynamoDbClient();
  streams = localStreamsClient();
  pipe = synthesizedCapture({ source: SOURCE, attributes: CAPTURED, target: OutboxTarget.FIFO_QUEUE });
  singles = synthesizedCapture({ source: SOURCE, attributes: CAPTURED, target: OutboxTarget.FIFO_QUEUE, batchSize: 1 });

  const { tableName, streamArn } = await createOutboxTable(client);
  await client.send(new UpdateItemCommand({
    TableName: tableName,
    Key: { pk: { S: 'ORDER#good-1' }, sk: { S: 'ORDER' } },
    UpdateExpression: 'SET #type = :type, orderId = :id, #status = :status ADD version :one',
    ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
    ExpressionAttributeValues: { ':type': { S: 'Order' }, ':id': { S: 'good-1' }, ':status': { S: 'PLACED' }, ':one': { N: '1' } },
  }));
  // A client that forgot the sequence, one that wrote it as a string, and one whose item (well within DynamoDB's
  // 400 KB) makes an event over the per-event cap of the target's request.
  await writeOrder(tableName, 'no-version', { status: { S: 'PLACED' } });
  await writeOrder(tableName, 'string-version', { status: { S: 'PLACED' }, version: { S: '1' } });
  await writeOrder(tableName, 'oversized', { status: { S: 'x'.repeat(CAP) }, version: { N: '1' } });
  await writeOrder(tableName, 'good-2', { status: { S: 'PAID' }, version: { N: '1' } });
  // Not captured: filtered out by the pipe, never set aside.
  await client.send(new PutItemCommand({ TableName: tableName, Item: { pk: { S: 'CUSTOMER#1' }, sk: { S: 'PROFILE' }, type: { S: 'Customer' } } }));
  batch = (await readStream(streams, streamArn)).filter((record) => pipe.filters.some((pattern) => matchesPattern(pattern, record)));
}, 60_000);
afterAll(() => {
  client.destroy();
  streams.destroy();
});

test('the filtered stream batch holds two publishable changes and three unpublishable ones, in write order', () => {
  expect(batch.map((r) => r.dynamodb.Keys.pk.S)).toEqual(['ORDER#good-1', 'ORDER#no-version', 'ORDER#string-version', 'ORDER#oversized', 'ORDER#good-2']);
});

test('the good changes are published; each unpublishable one is set aside with its reason, logged by its coordinates and counted', async () => {
  const deliveries = await captureEnrichmentHandler(pipe.environment, peers.queueUrl)(batch);
  expect(deliveries.map((d) => [d.metadata.aggregateId, d.metadata.sequence, d.data.status])).toEqual([
    ['ORDER#good-1', 1, 'PLACED'],
    ['ORDER#good-2', 1, 'PAID'],
  ]);

  const setAside = await peers.received();
  const [, noVersion, stringVersion, oversized] = batch;
  const expected = (record: PipeStreamRecord, reason: RegExp) => ({
    reason: expect.stringMatching(reason),
    eventID: record.eventID,
    sequenceNumber: record.dynamodb.SequenceNumber,
    keys: record.dynamodb.Keys,
    record,
  });
  expect(setAside).toEqual([
    expected(noVersion, /sequence attribute version is missing or not a number/),
    expected(stringVersion, /sequence attribute version is missing or not a number/),
    expected(oversized, new RegExp(`the event is \\d+ bytes, too large for the target's request \\(at most ${CAP} bytes per event`)),
  ]);

  const lines = peers.output.map((line) => JSON.parse(line));
  expect(lines.find((line) => line._aws)).toEqual(expectedMalformedMetric(FUNCTION_NAME, 3));
  const errors = lines.filter((line) => line.level === 'ERROR');
  expect(errors.map((e) => e.eventID)).toEqual([noVersion.eventID, stringVersion.eventID, oversized.eventID]);
  // The log holds coordinates, not the image (business data stays in the encrypted queue).
  expect(JSON.stringify(errors)).not.toContain('xxxxxxxx');
});

test('a batch of publishable changes only sends nothing aside and counts nothing', async () => {
  const good = [batch[0], batch[4]];
  await expect(captureEnrichmentHandler(pipe.environment, peers.queueUrl)(good)).resolves.toHaveLength(2);
  expect(peers.output).toEqual([]);
});

test('when the set-aside queue cannot take them, the batch fails (and is retried): nothing is dropped', async () => {
  const missingQueue = peers.queueUrl.replace(/[^/]+$/, 'no-such-queue');
  await expect(captureEnrichmentHandler(pipe.environment, missingQueue)(batch)).rejects.toThrow();
  expect(peers.output.filter((line) => line.includes('MalformedOutboxImages'))).toEqual([]);
});

test('the cap follows the pipe\'s batch size: with batches of 1 the same item is an event the queue takes', async () => {
  const deliveries = await captureEnrichmentHandler(singles.environment, peers.queueUrl)([batch[3]]);
  expect(deliveries.map((d) => d.metadata.aggregateId)).toEqual(['ORDER#oversized']);
  expect(peers.output).toEqual([]);
});
