/**
 * A malformed outbox image must not take the good events of its batch with it: Pipes has no partial batch failure
 * for an enrichment, so the deployed enrichment sets the bad image aside (on its queue, here moto's SQS), counts it in
 * its EMF metric, and returns the rest of the batch. Run on real stream records from DynamoDB Local, through the
 * filter the construct synthesizes.
 */
import { DynamoDBClient, PutItemCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { matchesPattern } from './pipe-semantics';
import { expectedMalformedMetric, useSetAsidePeers } from './set-aside-peers';
import { enrichmentHandler, synthesizedPipe } from './synthesized-pipe';
import { setAsideMessage } from '../../../lambda/runtime/outbox/set-aside';
import { OutboxWriter } from '../../../lambda/runtime/outbox/writer';
import { OutboxTarget } from '../../../lib/transactional-outbox/contract';
import { localDynamoDbClient } from '../../support/dynamodb-local';
import { createOutboxTable, localStreamsClient, PipeStreamRecord, readStream } from '../runtime/outbox/local-stream';

const SOURCE = 'com.example.orders';
const FUNCTION_NAME = 'OutboxEnrichment-test';

let client: DynamoDBClient;
let streams: DynamoDBStreamsClient;
let batch: PipeStreamRecord[];
let goodEventIds: string[];
const peers = useSetAsidePeers('outbox-malformed-images', FUNCTION_NAME);

beforeAll(async () => {
  client = localDynamoDbClient();
  streams = localStreamsClient();

  const { tableName, streamArn } = await createOutboxTable(client);
  const writer = new OutboxWriter({ client, tableName, eventSource: SOURCE });
  const written = async (aggregateId: string) => (await writer.write({ events: [{ detailType: 'OrderPlaced', aggregateId, detail: { aggregateId } }] })).events[0].metadata.eventId;
  const first = await written('order-a');
  // Something other than the writer breaks order-b's outbox item (a detail that is not an object: a MODIFY the filter
  // passes), and writes an outbox item without a detail-type.
  await written('order-b');
  await client.send(new UpdateItemCommand({
    TableName: tableName,
    Key: { pk: { S: 'order-b' }, sk: { S: 'OUTBOX#order-b' } },
    UpdateExpression: 'SET outboxDetail = :d',
    ExpressionAttributeValues: { ':d': { S: '[1,2]' } },
  }));
  await client.send(new PutItemCommand({
    TableName: tableName,
    Item: { pk: { S: 'order-x' }, sk: { S: 'OUTBOX#order-x' }, outboxEventId: { S: '01HX0000000000000000000000' }, outboxSequence: { N: '1' } },
  }));
  const last = await written('order-c');
  const { filters } = synthesizedPipe(OutboxTarget.EVENT_BUS, SOURCE);
  batch = (await readStream(streams, streamArn)).filter((record) => filters.some((pattern) => matchesPattern(pattern, record)));
  const orderB = batch.find((r) => r.dynamodb.Keys.pk.S === 'order-b')!.dynamodb.NewImage!.outboxEventId.S;
  goodEventIds = [first, orderB, last];
});
afterAll(() => {
  client.destroy();
  streams.destroy();
});

test('the stream batch holds good images and two malformed ones, in commit order', () => {
  expect(batch.map((r) => `${r.eventName} ${r.dynamodb.Keys.pk.S}`)).toEqual([
    'INSERT order-a', 'INSERT order-b', 'MODIFY order-b', 'INSERT order-x', 'INSERT order-c',
  ]);
});

test('the good events of the batch are published; each malformed image is set aside with its reason, logged by its coordinates and counted', async () => {
  const deliveries = await enrichmentHandler(SOURCE, peers.queueUrl)(batch);
  expect(deliveries.map((d) => d.metadata.eventId)).toEqual(goodEventIds);

  const setAside = await peers.received();
  const [modified, incomplete] = [batch[2], batch[3]];
  expect(setAside).toEqual([
    { reason: expect.stringMatching(/outboxDetail is not a JSON object/), eventID: modified.eventID, sequenceNumber: modified.dynamodb.SequenceNumber, keys: modified.dynamodb.Keys, record: modified },
    { reason: expect.stringMatching(/string attribute outboxDetailType is missing/), eventID: incomplete.eventID, sequenceNumber: incomplete.dynamodb.SequenceNumber, keys: incomplete.dynamodb.Keys, record: incomplete },
  ]);

  const lines = peers.output.map((line) => JSON.parse(line));
  expect(lines.find((line) => line._aws)).toEqual(expectedMalformedMetric(FUNCTION_NAME, 2));
  const errors = lines.filter((line) => line.level === 'ERROR');
  expect(errors.map((e) => e.eventID)).toEqual([modified.eventID, incomplete.eventID]);
  // The log holds coordinates, not the image (business data stays in the encrypted queue).
  expect(JSON.stringify(errors)).not.toContain('outboxDetail"');
});

test('a batch of good images only sends nothing aside and counts nothing', async () => {
  const good = batch.filter((r) => goodEventIds.includes(r.dynamodb.NewImage!.outboxEventId.S) && r.eventName === 'INSERT');
  await expect(enrichmentHandler(SOURCE, peers.queueUrl)(good)).resolves.toHaveLength(3);
  expect(peers.output).toEqual([]);
});

test('when the set-aside queue cannot take them, the batch fails (and is retried): nothing is dropped', async () => {
  const missingQueue = peers.queueUrl.replace(/[^/]+$/, 'no-such-queue');
  await expect(enrichmentHandler(SOURCE, missingQueue)(batch)).rejects.toThrow();
  expect(peers.output.filter((line) => line.includes('MalformedOutboxImages'))).toEqual([]);
});

test('a malformed record too large for an SQS message keeps its coordinates and keys, not its image', () => {
  const [, , modified] = batch;
  const huge = { ...modified, dynamodb: { ...modified.dynamodb, NewImage: { ...modified.dynamodb.NewImage, outboxDetail: { S: 'x'.repeat(300 * 1024) } } } };
  const message = JSON.parse(setAsideMessage({ reason: 'r', record: huge }));
  expect(message).toEqual({
    reason: 'r',
    eventID: modified.eventID,
    sequenceNumber: modified.dynamodb.SequenceNumber,
    keys: modified.dynamodb.Keys,
    imageOmitted: expect.stringMatching(/over 262144 bytes/),
  });
  expect(JSON.parse(setAsideMessage({ reason: 'r', record: modified })).record).toEqual(modified);
});
