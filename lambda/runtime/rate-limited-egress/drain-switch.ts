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

const MAPPINGS_PATH = '/2015-03-31/event-source-mappings/';

/** A {@link DrainSwitch} over one event source mapping, through the Lambda API (2015-03-31 REST paths). */
export class EventSourceMappingSwitch implements DrainSwitch {
  /**
   * The switch of the mapping from `queueArn` to `functionName`, found with ListEventSourceMappings on first use.
   * The delivery function uses this: its own environment cannot name its mapping, which is created after it.
   */
  public static forFunction(target: Omit<AwsRequestTarget, 'service'>, functionName: string, queueArn: string): EventSourceMappingSwitch {
    return new EventSourceMappingSwitch(target, async () => {
      const query = new URLSearchParams({ FunctionName: functionName, EventSourceArn: queueArn });
      const out = await awsJsonRequest({ ...target, service: 'lambda' }, 'GET', `${MAPPINGS_PATH}?${query}`);
      const uuid = (out.EventSourceMappings ?? [])[0]?.UUID;
      if (typeof uuid !== 'string') throw new Error(`no event source mapping from ${queueArn} to ${functionName}`);
      return uuid;
    });
  }

  private path?: Promise<string>;

  constructor(private readonly target: Omit<AwsRequestTarget, 'service'>, private readonly mappingId: string | (() => Promise<string>)) {}

  public async pause(): Promise<void> {
    await this.set(false);
  }

  public async resume(): Promise<void> {
    await this.set(true);
  }

  public async isDraining(): Promise<boolean> {
    const out = await awsJsonRequest({ ...this.target, service: 'lambda' }, 'GET', await this.mappingPath());
    return DRAINING_STATES.has(String(out.State ?? ''));
  }

  private async set(enabled: boolean): Promise<void> {
    try {
      await awsJsonRequest({ ...this.target, service: 'lambda' }, 'PUT', await this.mappingPath(), { Enabled: enabled });
    } catch (err) {
      // A mapping in transition refuses updates; the next caller (the controller runs again within a minute) sets it.
      if (!(err instanceof AwsRequestError && err.errorType === 'ResourceConflictException')) throw err;
    }
  }

  private mappingPath(): Promise<string> {
    const id = this.mappingId;
    this.path ??= (typeof id === 'string' ? Promise.resolve(id) : id()).then((uuid) => `${MAPPINGS_PATH}${encodeURIComponent(uuid)}`);
    // A failed lookup is retried by the next caller.
    this.path.catch(() => (this.path = undefined));
    return this.path;
  }
}
