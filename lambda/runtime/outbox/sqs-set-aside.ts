/**
 * The set-aside queue as the deployed enrichments use it: malformed images go to an SQS queue, 10 per
 * SendMessageBatch; any entry SQS refuses fails the call (and so the batch, which is retried).
 */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MalformedImage, SetAside, SetAsideDependencies, setAsideMessage } from './set-aside';
import { OUTBOX_ENV, OUTBOX_MALFORMED } from '../../../lib/transactional-outbox/contract';
import { metricLogLevel } from '../circuit-breaker/telemetry';

export function sqsSetAside(client: SQSClient, queueUrl: string): SetAside {
  return async (malformed: readonly MalformedImage[]) => {
    for (let start = 0; start < malformed.length; start += OUTBOX_MALFORMED.maxBatchEntries) {
      const chunk = malformed.slice(start, start + OUTBOX_MALFORMED.maxBatchEntries);
      const output = await client.send(new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((image, index) => ({ Id: String(index), MessageBody: setAsideMessage(image) })),
      }));
      if ((output.Failed ?? []).length > 0) {
        throw new Error(`outbox enrichment: the set-aside queue refused ${output.Failed!.length} malformed image(s): ` +
          output.Failed!.map((f) => `${f.Code}: ${f.Message ?? ''}`).join('; '));
      }
    }
  };
}

/** A required environment variable of an enrichment: read once per execution environment, so a missing one fails the init. */
export function requiredEnv(handlerName: string, name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${handlerName}: environment variable ${name} is not set`);
  return value;
}

/** The set-aside wiring of a deployed enrichment, from the environment the construct gives it. */
export function setAsideFromEnvironment(handlerName: string): SetAsideDependencies {
  return {
    setAside: sqsSetAside(new SQSClient({}), requiredEnv(handlerName, OUTBOX_ENV.MALFORMED_QUEUE_URL)),
    // Straight to stdout: the runtime's console patching would wrap an EMF line and CloudWatch would not extract it.
    output: (line) => process.stdout.write(`${line}\n`),
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? handlerName,
    metricLevel: metricLogLevel(),
  };
}
