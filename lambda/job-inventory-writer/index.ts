/**
 * Sample app, recruiting agency: keeps a table of open jobs from the inventory FIFO queue, whose subscription filter
 * lets only JobCreated and JobDeleted through. One item per job, keyed by `jobId`.
 *
 * The DynamoDB client takes its endpoint from the standard SDK settings, so `AWS_ENDPOINT_URL_DYNAMODB` points it at
 * DynamoDB Local in tests without any code for it here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { fifoBatchHandler, FifoRecord } from '../runtime/fifo-consumer';

/** A job event body: the job's fields, of which only `jobId` is required. */
interface JobEventBody {
  readonly jobId: string;
  readonly [field: string]: unknown;
}

const tableName = requiredEnv('TABLE_NAME');
const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});

async function applyJobEvent(record: FifoRecord<unknown>): Promise<void> {
  const job = jobEventBody(record);
  switch (record.eventType) {
    case 'JobCreated':
      return createJob(job);
    case 'JobDeleted':
      return deleteJob(job.jobId);
    default:
      // The subscription filter should make this unreachable; failing sends the message to the DLQ, where its
      // alarm shows the filter and this writer disagree, instead of silently dropping an event.
      throw new Error(`message ${record.messageId} has eventType "${record.eventType}"; this queue expects only JobCreated and JobDeleted`);
  }
}

/**
 * Creates the job unless an item for it already exists, so a redelivered JobCreated never overwrites the stored job
 * (the first version wins).
 *
 * What this cannot prevent: a JobCreated that arrives after its JobDeleted, e.g. when it went to the DLQ and is
 * redriven later, creates the job again. A hard delete leaves nothing for a condition to check. The FIFO path
 * already keeps each job's events in order (group = job id) and drops duplicates for 5 minutes, so only a redrive or
 * a late republish can do this. Closing the gap would need a tombstone item instead of DeleteItem, which every
 * reader of the table would then have to filter out.
 */
async function createJob(job: JobEventBody): Promise<void> {
  try {
    await documents.send(new PutCommand({
      TableName: tableName,
      Item: { ...job },
      ConditionExpression: 'attribute_not_exists(jobId)',
    }));
  } catch (error) {
    if ((error as Error).name === 'ConditionalCheckFailedException') return;
    throw error;
  }
}

/** Deleting a job that is not there succeeds, so a redelivered JobDeleted is harmless. */
async function deleteJob(jobId: string): Promise<void> {
  await documents.send(new DeleteCommand({ TableName: tableName, Key: { jobId } }));
}

function jobEventBody(record: FifoRecord<unknown>): JobEventBody {
  const body = record.body as Partial<JobEventBody> | null;
  if (typeof body !== 'object' || body === null || typeof body.jobId !== 'string' || body.jobId.length === 0) {
    throw new Error(`message ${record.messageId} is not a job event: the body needs a non-empty string jobId`);
  }
  return body as JobEventBody;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set; the FifoFanout example stack sets it on this function`);
  return value;
}

/**
 * SQS FIFO handler for the inventory queue. Message groups are job ids and jobs are independent, so a failing event
 * only holds back later events of its own job.
 */
export const handler = fifoBatchHandler(applyJobEvent, { skipGroupOnError: true });
