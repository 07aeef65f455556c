/**
 * An outbox table on DynamoDB Local with a stream, and the stream's records read back in the shape EventBridge Pipes
 * (like Lambda) delivers them: the DynamoDB Streams API record plus `eventSourceARN`, with `ApproximateCreationDateTime`
 * in epoch seconds. The attribute values are DynamoDB JSON exactly as the stream carries them.
 */
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { createTestTable, dynamoDbLocalEndpoint } from '../../../support/dynamodb-local';

/** A stream record as a pipe receives it. */
export interface PipeStreamRecord {
  eventID: string;
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventSource: string;
  eventSourceARN: string;
  dynamodb: { Keys: Record<string, any>; NewImage?: Record<string, any>; ApproximateCreationDateTime: number; SequenceNumber: string };
  userIdentity?: { type: string; principalId: string };
}

export function localStreamsClient(): DynamoDBStreamsClient {
  return new DynamoDBStreamsClient({
    endpoint: dynamoDbLocalEndpoint(),
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
}

/** A table shaped like the one TransactionalOutbox creates (or with a partition key only), streaming NEW_IMAGE. */
export async function createOutboxTable(
  client: DynamoDBClient,
  options: { sortKey?: boolean } = {},
): Promise<{ tableName: string; streamArn: string }> {
  const withSortKey = options.sortKey ?? true;
  const tableName = await createTestTable(client, 'outbox', {
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }, ...(withSortKey ? [{ AttributeName: 'sk', AttributeType: 'S' as const }] : [])],
    KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }, ...(withSortKey ? [{ AttributeName: 'sk', KeyType: 'RANGE' as const }] : [])],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  });
  const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return { tableName, streamArn: described.Table!.LatestStreamArn! };
}

/** Every record in the stream so far, oldest first. */
export async function readStream(streams: DynamoDBStreamsClient, streamArn: string): Promise<PipeStreamRecord[]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const records: PipeStreamRecord[] = [];
  for (const shard of StreamDescription?.Shards ?? []) {
    let iterator = (await streams.send(new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON' }))).ShardIterator;
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      for (const record of page.Records ?? []) records.push(asPipeRecord(record, streamArn));
      // An open shard always returns a next iterator; an empty page means we are at its end.
      iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
    }
  }
  return records.sort((a, b) => a.dynamodb.SequenceNumber.localeCompare(b.dynamodb.SequenceNumber));
}

/** A Streams API record in the shape a pipe receives it. */
export function asPipeRecord(record: any, streamArn: string): PipeStreamRecord {
  const plain = JSON.parse(JSON.stringify(record));
  plain.dynamodb.ApproximateCreationDateTime = Math.floor(new Date(record.dynamodb.ApproximateCreationDateTime).getTime() / 1000);
  return { ...plain, eventSourceARN: streamArn };
}

/** The parts of a record a test compares: what happened to which key, and the new image. */
export function summary(record: PipeStreamRecord): { eventName: string; keys: Record<string, any>; newImage?: Record<string, any> } {
  return { eventName: record.eventName, keys: record.dynamodb.Keys, ...(record.dynamodb.NewImage ? { newImage: record.dynamodb.NewImage } : {}) };
}
