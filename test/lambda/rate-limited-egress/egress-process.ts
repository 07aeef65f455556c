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
import { DeleteMessageBatchCommand, GetQueueAttributesCommand, Message, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import type { EgressTask } from './egress-fleet';
import { EventSourceMappingSwitch } from '../../../lambda/runtime/rate-limited-egress/drain-switch';
import { createDeliveryHandler, createDrainController } from '../../../lambda/runtime/rate-limited-egress/handlers';
import { FleetRateLimiter, Reservation } from '../../../lambda/runtime/rate-limited-egress/rate-limiter';
import { RATE_LIMITED_EGRESS_ENV } from '../../../lib/rate-limited-egress/contract';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const logs: string[] = [];
/** Keeps the runtime's warnings and errors for the result line (stdout carries only that line). */
const quiet = { log: (level: string, message: string) => void (level !== 'INFO' && logs.length < 20 && logs.push(`${level} ${message}`)) };
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
  // The poller model reads the mapping by id; the handlers find it as deployed (controller: id; delivery: lookup).
  const realSwitch = new EventSourceMappingSwitch(awsTarget, task.mappingId);
  const drain = task.removePause
    ? { pause: async () => undefined, resume: async () => undefined, isDraining: async () => true }
    : undefined;
  const limiter = task.removeLimiter
    ? new NoLimiter({ client: dynamoDbClient, tableName: 'unused', limiterId: 'unused', limitPerSecond: 1 })
    : undefined;
  const env = task.role === 'controller'
    ? { ...task.env, [RATE_LIMITED_EGRESS_ENV.EVENT_SOURCE_MAPPING_ID]: task.mappingId }
    : { ...task.env, AWS_LAMBDA_FUNCTION_NAME: task.functionName, [RATE_LIMITED_EGRESS_ENV.BUFFER_QUEUE_ARN]: task.mappedQueueArn };
  const options = {
    env,
    dynamoDbClient,
    awsTarget,
    drain,
    limiter,
    logger: quiet,
    breaker: { logger: quiet, metricSink: () => undefined },
  };

  const sqs = new SQSClient({ endpoint: task.motoEndpoint, region: 'us-east-1', credentials });
  /** Done when the buffer is empty (nothing visible or in flight): every process then stops by itself. */
  const drained = async () => {
    const out = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: task.queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }));
    return Number(out.Attributes?.ApproximateNumberOfMessages ?? 1) + Number(out.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 1) === 0;
  };

  if (task.role === 'controller') {
    const run = createDrainController(options);
    let runs = 0;
    let probes = 0;
    while (Date.now() < task.stopAt && !(await drained())) {
      const started = Date.now();
      const report = await run(undefined, { getRemainingTimeInMillis: () => task.stopAt - Date.now() + 10_000 });
      runs++;
      probes += report.probes;
      await sleep(Math.min(task.controllerScheduleMs! - (Date.now() - started), task.stopAt - Date.now()));
    }
    process.stdout.write(`${JSON.stringify({ role: task.role, runs, probes })}\n`);
    return;
  }

  const handle = task.role === 'plain' ? plainConsumer(task) : createDeliveryHandler({ ...options, sqsClient: sqs });
  let invocations = 0;
  let received = 0;
  let returned = 0;
  const receiveErrors: string[] = [];
  while (Date.now() < task.stopAt) {
    if (!(await realSwitch.isDraining())) {
      await sleep(200);
      continue;
    }
    let messages: Message[];
    try {
      const out = await sqs.send(new ReceiveMessageCommand({
        QueueUrl: task.queueUrl,
        MaxNumberOfMessages: task.batchSize,
        WaitTimeSeconds: 1,
        VisibilityTimeout: task.visibilityTimeoutSeconds,
        MessageSystemAttributeNames: ['All'],
      }));
      messages = out.Messages ?? [];
      if (messages.length === 0 && await drained()) break;
    } catch (err) {
      // Lambda's poller retries a failed receive; so does this model (moto answers a rare concurrent redrive with a 500).
      receiveErrors.push((err as Error).message.slice(0, 200));
      await sleep(200);
      continue;
    }
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
  process.stdout.write(`${JSON.stringify({ role: task.role, invocations, received, returned, receiveErrors: receiveErrors.length, logs })}\n`);
}

/** The bench's peer: every record POSTed at once, any answer but 2xx (or no answer in time) a batch item failure. */
function plainConsumer(task: EgressTask): (event: { Records: SQSRecord[] }) => Promise<{ batchItemFailures: Array<{ itemIdentifier: string }> }> {
  const url = task.env[RATE_LIMITED_EGRESS_ENV.ENDPOINT_URL];
  const post = async (record: SQSRecord): Promise<boolean> => {
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: record.body,
        signal: AbortSignal.timeout(task.callTimeoutMs ?? 1_000),
      });
      await res.arrayBuffer();
      return res.status >= 200 && res.status < 300;
    } catch {
      return false;
    }
  };
  return async (event) => {
    const results = await Promise.all(event.Records.map(post));
    return { batchItemFailures: event.Records.filter((_, i) => !results[i]).map((r) => ({ itemIdentifier: r.messageId })) };
  };
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
