import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { createPipe } from '../../core/private/pipe';
import { SecureQueue } from '../../core/secure-queue';
import { BufferedEventInput, FIFO_INGEST_BODY_FIELD } from '../contract';

/** The JSON path, in an ingest SQS record, of a field given by its path in the event. */
export function pathInRecord(eventPath: string, input: BufferedEventInput): string {
  const inBody = input === BufferedEventInput.DETAIL ? eventPath.slice('$.detail'.length) : eventPath.slice(1);
  return `$.body${inBody}`;
}

/** Properties of a {@link FifoIngest}. */
export interface FifoIngestProps {
  /** The FIFO queue the pipe feeds. */
  readonly target: sqs.IQueue;
  /** What each ingest message body holds: `$.detail...` paths are relative to it. */
  readonly input: BufferedEventInput;
  /** JSON path of the message group in the event, e.g. `$.detail.orderId`. */
  readonly messageGroupIdPath: string;
}

/**
 * Events per ingest batch. Pipes sends a batch to the FIFO queue as one SendMessageBatch, whose bodies may sum to
 * 1 MiB ("the maximum total payload size (the sum of the individual lengths of all of the batched messages)",
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_SendMessageBatch.html), and a body is an
 * EventBridge event: its entry is at most 256 KB, plus the event's own fields (id, account, region, time, version:
 * well under 1 KiB) and the `{"body": ...}` wrapper. Three such bodies fit one request (< 772 KiB); four may not.
 */
export const FIFO_INGEST_BATCH_SIZE = 3;

/**
 * A standard ingest queue and an EventBridge Pipe that moves its messages into a FIFO queue with a message group
 * (and deduplication id) taken from each event.
 *
 * An EventBridge rule target can only give a FIFO queue one fixed message group, so every event would share one
 * group. Pipes evaluate JSON paths per record in their target parameters, so the rule sends to this standard queue
 * and the pipe sets the group per event. Messages the pipe cannot deliver return to the ingest queue and, after
 * its `maxReceiveCount`, land in its dead-letter queue (Pipes have no dead-letter target for SQS sources).
 */
export class FifoIngest extends Construct {
  /** The standard queue the rule sends to. */
  public readonly queue: sqs.IQueue;
  /** Messages the pipe could not move into the FIFO queue. */
  public readonly deadLetterQueue: sqs.IQueue;
  /** The pipe. */
  public readonly pipe: pipes.CfnPipe;
  /** The role the pipe assumes (consume from the ingest queue, send to the FIFO queue). */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: FifoIngestProps) {
    super(scope, id);
    const ingest = new SecureQueue(this, 'Queue', {});
    this.queue = ingest.queue;
    this.deadLetterQueue = ingest.deadLetterQueue!;
    const detailOnly = props.input === BufferedEventInput.DETAIL;

    const { pipe, role } = createPipe(this, 'Pipe', {
      roleId: 'Role',
      roleDescription: 'Moves buffered events from the ingest queue into the FIFO buffer queue',
      description: 'Sets a FIFO message group per event',
      source: this.queue.queueArn,
      sourceParameters: { sqsQueueParameters: { batchSize: FIFO_INGEST_BATCH_SIZE } },
      target: props.target.queueArn,
      targetParameters: {
        // The FIFO queue gets the body as the rule shaped it (whole event or detail), wrapped in a JSON object: a lone
        // <$.body> would arrive with its inner quotes removed (see FIFO_INGEST_BODY_FIELD); the consumer unwraps it.
        inputTemplate: `{"${FIFO_INGEST_BODY_FIELD}": <$.body>}`,
        sqsQueueParameters: {
          messageGroupId: pathInRecord(props.messageGroupIdPath, props.input),
          // The event id when the body is the whole event (so a duplicate EventBridge delivery is dropped within the
          // 5-minute deduplication window); otherwise the ingest message id (a pipe retry of the same message).
          messageDeduplicationId: detailOnly ? '$.messageId' : '$.body.id',
        },
      },
    });
    this.queue.grantConsumeMessages(role);
    props.target.grantSendMessages(role);
    this.pipe = pipe;
    this.role = role;
  }
}
