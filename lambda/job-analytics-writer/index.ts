/**
 * Sample app, recruiting agency: archives every job event from the analytics FIFO queue as one JSON object in S3,
 * where analytics tools (e.g. Athena) read them by event type and job.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { fifoBatchHandler, FifoRecord } from '../runtime/fifo-consumer';

/** The part of a job event body this writer relies on; everything else is archived as is. */
interface JobEventBody {
  readonly jobId: string;
}

/** Where the archived copy of an event lives. */
export function analyticsObjectKey(eventType: string, jobId: string, messageId: string): string {
  // The SQS message id stays the same when a message is delivered again, so a retry overwrites its own object
  // instead of adding a duplicate. Event types and job ids come from publishers, so each is escaped to stay one
  // path segment.
  return `job-events/${encodeURIComponent(eventType)}/${encodeURIComponent(jobId)}/${encodeURIComponent(messageId)}.json`;
}

const bucketName = requiredEnv('BUCKET_NAME');
const s3 = new S3Client({});

async function archiveJobEvent(record: FifoRecord<unknown>): Promise<void> {
  const { jobId } = jobEventBody(record);
  if (!record.eventType) {
    throw new Error(`message ${record.messageId} has no eventType message attribute (is raw message delivery on?)`);
  }
  const archived = {
    eventType: record.eventType,
    jobId,
    messageId: record.messageId,
    messageGroupId: record.messageGroupId,
    sequenceNumber: record.sequenceNumber,
    sentAt: sentAt(record),
    detail: record.body,
  };
  await s3.send(new PutObjectCommand({
    Bucket: bucketName,
    Key: analyticsObjectKey(record.eventType, jobId, record.messageId),
    Body: JSON.stringify(archived),
    ContentType: 'application/json',
  }));
}

function jobEventBody(record: FifoRecord<unknown>): JobEventBody {
  const body = record.body as Partial<JobEventBody> | null;
  if (typeof body !== 'object' || body === null || typeof body.jobId !== 'string' || body.jobId.length === 0) {
    throw new Error(`message ${record.messageId} is not a job event: the body needs a non-empty string jobId`);
  }
  return { jobId: body.jobId };
}

function sentAt(record: FifoRecord<unknown>): string | undefined {
  const millis = Number(record.record.attributes.SentTimestamp);
  return Number.isFinite(millis) && millis > 0 ? new Date(millis).toISOString() : undefined;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; the FifoFanout example stack sets it on this function`);
  return value;
}

/**
 * SQS FIFO handler for the analytics queue. Message groups are job ids and jobs are independent, so a failing event
 * only holds back later events of its own job.
 */
export const handler = fifoBatchHandler(archiveJobEvent, { skipGroupOnError: true });
