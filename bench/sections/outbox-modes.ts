/**
 * The outbox's two modes against one plain PutItem, side by side in one run on a private DynamoDB Local: per published
 * event, DynamoDB requests, write units and p50 write latency of
 * - one PutItem of the order item alone (the floor: any way of publishing a change costs at least this write);
 * - change capture: the OrderIntake example's write, the order item with its type and `version` 1 in one conditional
 *   PutItem, whose stream record the capture pipe publishes;
 * - the transactional outbox: OutboxWriter's TransactWriteItems of the order item and its outbox row.
 */
import { AttributeValue, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createTable, orderItem, reportedCapacity, requestCountingClient, writeThroughOutbox } from './outbox';
import { itemBytes } from '../../lambda/runtime/outbox/sizes';
import { OutboxWriter } from '../../lambda/runtime/outbox/writer';
import { startDynamoDbLocal } from '../../scripts/dynamodb-local';
import { BenchSection, fmt, median, table } from '../stats';

const WRITES = 500;
const WARMUP_WRITES = 50;
const SOURCE = 'com.example.order-intake';
const KB = 1024;

/** One standard write: a unit per started KB of the item ("DynamoDB item sizes and formats", CapacityUnitCalculations.html). */
const standardUnits = (bytes: number) => Math.ceil(bytes / KB);
/** A transactional write: twice the standard units per item (DynamoDB pricing, "Write request units", transactional writes). */
const transactionalUnits = (bytes: number) => 2 * standardUnits(bytes);

interface ModePeer {
  readonly name: string;
  /** Publishes one event; returns the capacity DynamoDB Local reported and the units DynamoDB's rules give. */
  write(orderId: string): Promise<{ reported: number; computed: number }>;
}

interface ModeResult {
  readonly peer: ModePeer;
  readonly latencies: number[];
  readonly reported: number[];
  readonly computed: number[];
  requests: number;
}

/** The change-capture item: the order with the type the pipe filters on and the per-item sequence. */
const capturedOrder = (orderId: string): Record<string, AttributeValue> => ({
  ...orderItem(orderId),
  type: { S: 'Order' },
  orderId: { S: orderId },
  version: { N: '1' },
});

export async function run(): Promise<BenchSection> {
  process.env.JSII_DEPRECATED = 'quiet';
  const results = await measure();
  const [plain, capture, outbox] = results;
  const summary: Array<[string, string]> = [
    ['Write units per event: plain PutItem / change capture / transactional outbox (computed)',
      `${fmt(median(plain.computed), 0)} / ${fmt(median(capture.computed), 0)} / ${fmt(median(outbox.computed), 0)}`],
    ['p50 write per event: plain PutItem / change capture / transactional outbox',
      `${fmt(median(plain.latencies), 2)} / ${fmt(median(capture.latencies), 2)} / ${fmt(median(outbox.latencies), 2)} ms`],
  ];
  return { title: 'Outbox modes: change capture vs transactional outbox vs one PutItem', method: METHOD, body: body(results), summary };
}

async function measure(): Promise<ModeResult[]> {
  const ddb = await startDynamoDbLocal();
  try {
    const { client, requests } = requestCountingClient(ddb.endpoint);
    for (const name of ['modes-plain', 'modes-capture', 'modes-outbox']) await createTable(client, name);
    const writer = new OutboxWriter({ client, tableName: 'modes-outbox', eventSource: SOURCE });
    const put = async (tableName: string, item: Record<string, AttributeValue>, condition?: string) => {
      const output = await client.send(new PutItemCommand({ TableName: tableName, Item: item, ConditionExpression: condition, ReturnConsumedCapacity: 'TOTAL' }));
      const reported = reportedCapacity(output.ConsumedCapacity ? [output.ConsumedCapacity] : undefined);
      return { reported, computed: standardUnits(itemBytes(item)) };
    };
    const peers: ModePeer[] = [
      { name: 'One PutItem of the order alone (floor)', write: (orderId) => put('modes-plain', orderItem(orderId)) },
      {
        name: 'Change capture: one conditional PutItem of the order (type, version 1)',
        write: (orderId) => put('modes-capture', capturedOrder(orderId), 'attribute_not_exists(pk)'),
      },
      {
        name: 'Transactional outbox: order + outbox row in one TransactWriteItems',
        write: async (orderId) => {
          const { reported, itemSizes } = await writeThroughOutbox(writer, 'modes-outbox', orderId);
          return { reported, computed: itemSizes.reduce((sum, bytes) => sum + transactionalUnits(bytes), 0) };
        },
      },
    ];
    const results: ModeResult[] = peers.map((peer) => ({ peer, latencies: [], reported: [], computed: [], requests: 0 }));
    // Interleaved one write at a time, starting with a different peer each round: all three see the same JIT state,
    // server state and background load.
    for (let i = 0; i < WARMUP_WRITES + WRITES; i++) {
      for (let k = 0; k < results.length; k++) {
        const result = results[(i + k) % results.length];
        const before = requests();
        const start = process.hrtime.bigint();
        const { reported, computed } = await result.peer.write(`m-${i}`);
        const ms = Number(process.hrtime.bigint() - start) / 1e6;
        if (i < WARMUP_WRITES) continue;
        result.latencies.push(ms);
        result.requests += requests() - before;
        result.reported.push(reported);
        result.computed.push(computed);
      }
    }
    client.destroy();
    return results;
  } finally {
    await ddb.stop();
  }
}

const METHOD = [
  `Private DynamoDB Local, ${WARMUP_WRITES} warm-up then ${WRITES} measured writes per peer, interleaved one by one (each `,
  'round starts with a different peer). Each write publishes one order event. Requests are counted by a middleware on ',
  'the SDK client. Write units: "reported" is what DynamoDB Local returns for `ReturnConsumedCapacity: TOTAL` (it does ',
  'not double transactional writes); "computed" applies DynamoDB\'s documented rules to the item sizes (`itemBytes`, ',
  'checked against DynamoDB Local at the 1 KB boundary in the tests): one unit per started KB per item, twice that ',
  'inside a transaction ("DynamoDB item sizes and formats" and "Read/write capacity mode", transactional requests). ',
  'Latencies are wall times on this machine against a local JVM, useful only as ratios within this run.',
].join('');

function body(results: ModeResult[]): string {
  const [plain] = results;
  const rows = results.map((r) => [
    r.peer.name,
    fmt(r.requests / r.latencies.length, 2),
    fmt(median(r.reported), 1),
    fmt(median(r.computed), 1),
    fmt(median(r.latencies), 2),
    r === plain ? '1.00 (baseline)' : fmt(median(r.latencies) / median(plain.latencies), 2),
  ]);
  return table(
    ['Per published event', 'DynamoDB requests', 'Write units (reported by DynamoDB Local)', 'Write units (computed)', 'p50 write ms', 'p50 vs one PutItem'],
    rows,
  );
}
