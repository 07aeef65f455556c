/**
 * One delivery environment (or the drain controller) in its own OS process, on the real clock, with its own
 * DynamoDB client, circuit breaker and rate limiter. Bundled and spawned by egress-fleet.ts; the task is argv[2],
 * the result the last stdout line.
 *
 * A deliverer models what Lambda's SQS poller does for one concurrent invocation: while the event source mapping is
 * enabled (read from the Lambda API, here moto's, through the runtime's own switch), it receives up to a batch from
 * the queue (moto's SQS, which applies the redrive policy), invokes the delivery handler and deletes the records the
 * handler did not report as failures. A disabled mapping does not poll, so nothing is received. moto cannot run the
 * poller itself (it invokes functions in Docker), which is why this model exists.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteMessageBatchCommand, Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { EgressTask } from './egress-fleet';
import { EventSourceMappingSwitch } from '../../../lambda/runtime/rate-limited-egress/drain-switch';
import { createDeliveryHandler, createDrainController } from '../../../lambda/runtime/rate-limited-egress/handlers';
import { FleetRateLimiter, Reservation } from '../../../lambda/runtime/rate-limited-egress/rate-limiter';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const quiet = { log: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

/** The removal experiment: slots handed out at once, without the shared schedule. */
class NoLimiter extends FleetRateLimiter {
  public async reserve(count: number): Promise<Reservation> {
    return { slots: Array.from({ length: count }, () => Date.now()) };
  }
  public async pauseUntil(): Promise<void> {}
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2]) as EgressTask;
  const dynamoDbClient = new DynamoDBClient({ endpoint: task.dynamoDbEndpoint, region: 'us-east-1', credentials });
  const awsTarget = { region: 'us-east-1', endpoint: task.motoEndpoint, credentials };
  const realSwitch = new EventSourceMappingSwitch(awsTarget, task.mappingId);
  const drain = task.removePause
    ? { pause: async () => undefined, resume: async () => undefined, isDraining: async () => true }
    : realSwitch;
  const limiter = task.removeLimiter
    ? new NoLimiter({ client: dynamoDbClient, tableName: 'unused', limiterId: 'unused', limitPerSecond: 1 })
    : undefined;
  const options = {
    env: task.env,
    dynamoDbClient,
    awsTarget,
    drain,
    limiter,
    logger: quiet,
    breaker: { logger: quiet, metricSink: () => undefined },
  };

  if (task.role === 'controller') {
    const run = createDrainController(options);
    let runs = 0;
    let probes = 0;
    while (Date.now() < task.stopAt) {
      const started = Date.now();
      const report = await run(undefined, { getRemainingTimeInMillis: () => task.stopAt - Date.now() + 10_000 });
      runs++;
      probes += report.probes;
      await sleep(Math.min(task.controllerScheduleMs! - (Date.now() - started), task.stopAt - Date.now()));
    }
    process.stdout.write(`${JSON.stringify({ role: task.role, runs, probes })}\n`);
    return;
  }

  const sqs = new SQSClient({ endpoint: task.motoEndpoint, region: 'us-east-1', credentials });
  const handle = createDeliveryHandler({ ...options, sqsClient: sqs });
  let invocations = 0;
  let received = 0;
  let returned = 0;
  while (Date.now() < task.stopAt) {
    if (!(await realSwitch.isDraining())) {
      await sleep(200);
      continue;
    }
    const out = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: task.queueUrl,
      MaxNumberOfMessages: task.batchSize,
      WaitTimeSeconds: 1,
      VisibilityTimeout: task.visibilityTimeoutSeconds,
      MessageSystemAttributeNames: ['All'],
    }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) continue;
    received += messages.length;
    invocations++;
    const deadline = Date.now() + task.functionTimeoutMs;
    const response = await handle({ Records: messages.map(toRecord) }, { getRemainingTimeInMillis: () => deadline - Date.now() });
    const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
    returned += failed.size;
    const done = messages.filter((m) => !failed.has(m.MessageId!));
    if (done.length > 0) {
      await sqs.send(new DeleteMessageBatchCommand({
        QueueUrl: task.queueUrl,
        Entries: done.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })),
      }));
    }
  }
  process.stdout.write(`${JSON.stringify({ role: task.role, invocations, received, returned })}\n`);
}

function toRecord(m: Message): SQSRecord {
  return {
    messageId: m.MessageId!,
    receiptHandle: m.ReceiptHandle!,
    body: m.Body ?? '',
    attributes: m.Attributes as unknown as SQSRecord['attributes'],
    messageAttributes: {},
    md5OfBody: m.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:buffer',
    awsRegion: 'us-east-1',
  };
}

main().then(() => process.exit(0), (err) => {
  process.stderr.write(`${(err as Error).stack ?? err}\n`);
  process.exit(1);
});
