/**
 * A stream reader as adversarial as the DynamoDB documentation allows, feeding a model of a FIFO queue target.
 *
 * What is documented: "For each item that is modified in a DynamoDB table, the stream records appear in the same
 * sequence as the actual modifications to the item" (DynamoDB developer guide, "Change data capture for DynamoDB
 * Streams", https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html). Nothing orders the
 * records of two items: they may sit on different shards (shards follow partitions, which split), and a pipe polls
 * shards in parallel, one batch at a time per shard. So the reader:
 * - reads every shard of the real stream in parallel, in a seeded order, with seeded page sizes;
 * - splits each shard into one lane per item, the finest split the guarantee permits (DynamoDB Local keeps one shard
 *   per table, which would hide every reordering AWS may do);
 * - delivers batches (1 to the pipe's batch size, consecutive records of one lane, as a pipe batches one shard) from
 *   lanes picked in a seeded order, through the pipe, to the FIFO queue model.
 * The FIFO model keeps each message group in the order messages were sent (a batch's messages in batch order) and
 * drops a message whose deduplication id it has seen ("Amazon SQS FIFO queues",
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/FIFO-queues.html).
 */
import { DescribeStreamCommand, DynamoDBStreamsClient, GetRecordsCommand, GetShardIteratorCommand } from '@aws-sdk/client-dynamodb-streams';
import { asPipeRecord, PipeStreamRecord } from '../local-stream';

/** One message the pipe sends the FIFO queue. */
export interface FifoMessage {
  readonly group: string;
  readonly deduplicationId: string;
  readonly body: { readonly metadata: Record<string, unknown>; readonly data: Record<string, unknown> };
}

/** The pipe from a batch of stream records to the messages it sends (filter, enrichment, target parameters). */
export type PipeRun = (batch: PipeStreamRecord[]) => Promise<FifoMessage[]>;

/** Every shard of the stream, read in parallel: shards start in a seeded order, pages have seeded sizes. */
export async function readShards(streams: DynamoDBStreamsClient, streamArn: string, random: () => number): Promise<PipeStreamRecord[][]> {
  const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
  const shards = shuffled(StreamDescription?.Shards ?? [], random);
  return Promise.all(shards.map(async (shard) => {
    await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 5)));
    const records: PipeStreamRecord[] = [];
    let iterator = (await streams.send(new GetShardIteratorCommand({
      StreamArn: streamArn, ShardId: shard.ShardId!, ShardIteratorType: 'TRIM_HORIZON',
    }))).ShardIterator;
    while (iterator) {
      const page = await streams.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1 + Math.floor(random() * 25) }));
      for (const record of page.Records ?? []) records.push(asPipeRecord(record, streamArn));
      // An open shard always returns a next iterator; an empty page means we are at its end.
      iterator = (page.Records ?? []).length > 0 ? page.NextShardIterator : undefined;
    }
    return records;
  }));
}

/** Each shard split into one lane per item, every lane in its shard's order. */
export function itemLanes(shards: PipeStreamRecord[][]): PipeStreamRecord[][] {
  const lanes = new Map<string, PipeStreamRecord[]>();
  for (const shard of shards) {
    for (const record of shard) {
      const item = JSON.stringify(record.dynamodb.Keys);
      lanes.set(item, [...(lanes.get(item) ?? []), record]);
    }
  }
  return [...lanes.values()];
}

/** A FIFO queue: per message group, messages in the order they were sent; a repeated deduplication id is dropped. */
export class FifoQueueModel {
  private readonly groups = new Map<string, FifoMessage['body'][]>();
  private readonly seen = new Set<string>();

  public sendBatch(messages: readonly FifoMessage[]): void {
    for (const message of messages) {
      if (this.seen.has(message.deduplicationId)) continue;
      this.seen.add(message.deduplicationId);
      this.groups.set(message.group, [...(this.groups.get(message.group) ?? []), message.body]);
    }
  }

  /** What a consumer of `group` receives, in order. */
  public received(group: string): FifoMessage['body'][] {
    return this.groups.get(group) ?? [];
  }
}

/** Runs every lane's records through the pipe into a FIFO queue, batch by batch, lanes picked in a seeded order. */
export async function deliverInterleaved(
  lanes: PipeStreamRecord[][], pipe: PipeRun, random: () => number, maxBatchSize: number,
): Promise<FifoQueueModel> {
  const queue = new FifoQueueModel();
  const pending = lanes.map((lane) => [...lane]).filter((lane) => lane.length > 0);
  while (pending.length > 0) {
    const index = Math.floor(random() * pending.length);
    const lane = pending[index];
    const batch = lane.splice(0, 1 + Math.floor(random() * maxBatchSize));
    queue.sendBatch(await pipe(batch));
    if (lane.length === 0) pending.splice(index, 1);
  }
  return queue;
}

/**
 * Where the FIFO target broke an aggregate's order: each aggregate committed versions 1..n (its business item's
 * version), and its consumer must receive exactly those, in order, no gap, no repeat. With `sequence`, the
 * envelope's per-aggregate sequence must be the same numbers.
 */
export function orderViolations(queue: FifoQueueModel, committed: ReadonlyMap<string, number>, options: { sequence: boolean }): string[] {
  const violations: string[] = [];
  for (const [aggregate, count] of committed) {
    const bodies = queue.received(aggregate);
    const versions = bodies.map((body) => body.data.version);
    const expected = Array.from({ length: count }, (_, i) => i + 1);
    if (JSON.stringify(versions) !== JSON.stringify(expected)) {
      violations.push(`${aggregate}: committed versions 1..${count}, the consumer received ${JSON.stringify(versions)}`);
    } else if (options.sequence && JSON.stringify(bodies.map((body) => body.metadata.sequence)) !== JSON.stringify(expected)) {
      violations.push(`${aggregate}: sequences ${JSON.stringify(bodies.map((body) => body.metadata.sequence))} are not 1..${count}`);
    }
  }
  return violations;
}

function shuffled<T>(values: readonly T[], random: () => number): T[] {
  const copy = [...values];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
