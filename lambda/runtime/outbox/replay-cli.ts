#!/usr/bin/env node
/**
 * cdk-serverless-patterns-outbox-replay: replays the TransactionalOutbox pipe's dead-letter queue (see replay.ts).
 * Prints one JSON line per dead-letter message; exits 1 when any message was not replayed (or only in part). Needs the
 * AWS SDK v3 clients for SQS, DynamoDB, DynamoDB Streams and EventBridge, and credentials allowing sqs:ReceiveMessage
 * and sqs:DeleteMessage on the dead-letter queue, dynamodb:GetShardIterator and GetRecords on the table's stream,
 * events:PutEvents on the bus or sqs:SendMessage on the queue, and, with --expired scan only, dynamodb:Scan on the table.
 */
import { parseArgs } from 'node:util';
import { ExpiredBatchPolicy, OutboxReplayer, ReplayOutcome } from './replay';

const USAGE = `usage: cdk-serverless-patterns-outbox-replay --dead-letter-queue-url URL --event-source SOURCE
         (--event-bus NAME_OR_ARN | --queue-url FIFO_QUEUE_URL) [--expired keep | --expired scan --table NAME] [--max-messages N] [--dry-run]`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      'dead-letter-queue-url': { type: 'string' },
      'table': { type: 'string' },
      'event-source': { type: 'string' },
      'event-bus': { type: 'string' },
      'queue-url': { type: 'string' },
      'expired': { type: 'string', default: 'keep' },
      'max-messages': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      'help': { type: 'boolean', default: false },
    },
  });
  const deadLetterQueueUrl = values['dead-letter-queue-url'];
  const tableName = values.table;
  const eventSource = values['event-source'];
  if (values.help || !deadLetterQueueUrl || !eventSource || (values['event-bus'] === undefined) === (values['queue-url'] === undefined)
    || !['keep', 'scan'].includes(values.expired!) || (values.expired === 'scan' && !tableName)) {
    process.stderr.write(`${USAGE}\n`);
    return values.help ? 0 : 2;
  }
  const replayer = new OutboxReplayer({
    deadLetterQueueUrl,
    tableName,
    eventSource,
    eventBusName: values['event-bus'],
    queueUrl: values['queue-url'],
    expiredBatches: values.expired === 'scan' ? ExpiredBatchPolicy.SCAN_TIME_WINDOW : ExpiredBatchPolicy.KEEP,
    dryRun: values['dry-run'],
  });
  const reports = await replayer.replayAll(values['max-messages'] === undefined ? undefined : Number(values['max-messages']));
  for (const report of reports) process.stdout.write(`${JSON.stringify(report)}\n`);
  const notReplayed = reports.filter((r) => r.outcome !== ReplayOutcome.REPLAYED).length;
  process.stderr.write(`${reports.length - notReplayed} of ${reports.length} dead-letter messages replayed${values['dry-run'] ? ' (dry run)' : ''}\n`);
  return notReplayed > 0 ? 1 : 0;
}

main().then((code) => { process.exitCode = code; }, (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
