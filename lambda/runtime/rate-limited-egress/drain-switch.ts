/**
 * Starts and stops the buffer's draining by enabling and disabling the delivery function's SQS event source mapping.
 *
 * Why not just fail the records while the partner is down: every receive of a message counts toward the queue's
 * `maxReceiveCount`, failed or not, so a consumer that keeps receiving during an outage moves healthy events into
 * the dead-letter queue ("Using dead-letter queues in Amazon SQS",
 * https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-dead-letter-queues.html). A
 * disabled mapping does not poll at all: "If you disable the event source mapping, AWS Lambda stops polling. If you
 * enable again, it will resume polling from the time it had stopped polling" (UpdateEventSourceMapping,
 * https://docs.aws.amazon.com/lambda/latest/api/API_UpdateEventSourceMapping.html). Messages wait in the queue,
 * unreceived, for up to its retention period.
 */
import { AwsRequestError, awsJsonRequest, AwsRequestTarget } from './aws-request';

/** Whether the buffer drains. */
export interface DrainSwitch {
  /** Stops draining (idempotent). */
  pause(): Promise<void>;
  /** Resumes draining (idempotent). */
  resume(): Promise<void>;
  /** True while the mapping is enabled or being enabled. */
  isDraining(): Promise<boolean>;
}

/** States of an event source mapping in which Lambda polls (or is about to). */
const DRAINING_STATES = new Set(['Enabled', 'Enabling', 'Creating', 'Updating']);

/** A {@link DrainSwitch} over one event source mapping, through the Lambda API (2015-03-31 REST paths). */
export class EventSourceMappingSwitch implements DrainSwitch {
  private readonly path: string;

  constructor(private readonly target: Omit<AwsRequestTarget, 'service'>, mappingId: string) {
    this.path = `/2015-03-31/event-source-mappings/${encodeURIComponent(mappingId)}`;
  }

  public async pause(): Promise<void> {
    await this.set(false);
  }

  public async resume(): Promise<void> {
    await this.set(true);
  }

  public async isDraining(): Promise<boolean> {
    const out = await awsJsonRequest({ ...this.target, service: 'lambda' }, 'GET', this.path);
    return DRAINING_STATES.has(String(out.State ?? ''));
  }

  private async set(enabled: boolean): Promise<void> {
    try {
      await awsJsonRequest({ ...this.target, service: 'lambda' }, 'PUT', this.path, { Enabled: enabled });
    } catch (err) {
      // A mapping in transition refuses updates; the next caller (the controller runs again within a minute) sets it.
      if (!(err instanceof AwsRequestError && err.errorType === 'ResourceConflictException')) throw err;
    }
  }
}
