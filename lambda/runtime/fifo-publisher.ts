/**
 * Publishes events to an SNS FIFO topic with the fields FIFO delivery depends on (group id, deduplication id, typed
 * attributes for filter policies) checked before anything is sent.
 */
import { PublishBatchCommand, PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { BatchResultErrorEntry, PublishBatchResponse } from '@aws-sdk/client-sns';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  EncodedFifoMessage,
  encodeFifoMessage,
  FifoMessage,
  FifoPublishValidationError,
  MAX_CONFIGURABLE_MESSAGE_BYTES,
  validateFifoTopicArn,
} from './fifo-message';
import { FIFO_FANOUT_ENV } from '../../lib/fifo-fanout/contract';

// The message model this publisher validates and encodes, so one import gives a handler everything it needs.
export {
  DEFAULT_MAX_MESSAGE_BYTES, EVENT_TYPE_ATTRIBUTE, FIFO_ID_MAX_LENGTH, FifoPublishValidationError, MAX_CONFIGURABLE_MESSAGE_BYTES,
  MAX_MESSAGE_ATTRIBUTES,
} from './fifo-message';
export type { FifoMessage, FifoMessageAttributeValue } from './fifo-message';

/** Most entries SNS accepts in one `PublishBatch` request. */
export const PUBLISH_BATCH_MAX_ENTRIES = 10;

/**
 * `code` of a batch failure for a message that was not sent because an earlier message of the same group failed in
 * an earlier request of the same `publishBatch` call; sending it would have overtaken the failed one.
 */
export const SKIPPED_AFTER_GROUP_FAILURE = 'SkippedAfterGroupFailure';

/** `code` of a batch failure for a message that SNS's response neither confirmed nor rejected. */
export const MISSING_FROM_RESPONSE = 'MissingFromResponse';

/** Settings of a {@link FifoPublisher}. */
export interface FifoPublisherProps {
  /**
   * ARN of the SNS FIFO topic (its name ends in `.fifo`).
   * @default - the `FIFO_FANOUT_TOPIC_ARN` environment variable, which `FifoFanout.grantPublish(fn)` sets
   */
  readonly topicArn?: string;
  /**
   * Client to publish with. Create it once per execution environment and pass it in to share connections.
   * @default - a new `SNSClient` with the default configuration chain
   */
  readonly client?: SNSClient;
  /**
   * Size limit applied to each message and to the sum of the messages of one batch request, in bytes. Raise it
   * only if the topic's `MaximumMessageSize` attribute was raised (at most 1 MiB).
   * @default 262144 (256 KiB, the SNS default)
   */
  readonly maxMessageBytes?: number;
}

/** What SNS returned for a published message. */
export interface FifoPublishResult {
  /** The id SNS assigned to the message. */
  readonly messageId?: string;
  /** Position of the message within its message group, assigned by the FIFO topic. */
  readonly sequenceNumber?: string;
}

/** A message of a batch that SNS accepted. */
export interface PublishedFifoMessage extends FifoPublishResult {
  /** The message as it was passed to `publishBatch`. */
  readonly message: FifoMessage;
}

/** A message of a batch that was not published. Nothing is retried for you: retry, dead-letter or alert. */
export interface FailedFifoMessage {
  /** The message as it was passed to `publishBatch`. */
  readonly message: FifoMessage;
  /**
   * SNS error code (e.g. `InternalError`), the name of the error that failed the whole request, or
   * {@link SKIPPED_AFTER_GROUP_FAILURE} / {@link MISSING_FROM_RESPONSE}.
   */
  readonly code: string;
  /** Human-readable explanation. */
  readonly reason: string;
  /** True when SNS says the request was wrong (retrying unchanged will not help). */
  readonly senderFault: boolean;
}

/** Outcome of {@link FifoPublisher.publishBatch}; both lists keep the order the messages were passed in. */
export interface FifoPublishBatchResult {
  /** Messages SNS accepted. */
  readonly successful: PublishedFifoMessage[];
  /** Messages that were not published, with the reason. */
  readonly failed: FailedFifoMessage[];
}

type Outcome = { ok: true; result: FifoPublishResult } | { ok: false; code: string; reason: string; senderFault: boolean };

/**
 * Publishes JSON events to an SNS FIFO topic.
 *
 * Every message is validated against the SNS FIFO rules before a request is made, so a bad group id or an
 * oversized body fails fast with a {@link FifoPublishValidationError} instead of an opaque service error.
 *
 * @example
 * // The topic ARN comes from FIFO_FANOUT_TOPIC_ARN, set by `fanout.grantPublish(fn)`; or pass `{ topicArn }`.
 * const publisher = new FifoPublisher();
 * await publisher.publish({
 *   messageGroupId: job.jobId,
 *   deduplicationId: event.eventId,
 *   eventType: 'JobCreated',
 *   detail: job,
 * });
 */
export class FifoPublisher {
  /** ARN of the topic messages are published to. */
  public readonly topicArn: string;
  private readonly client: SNSClient;
  private readonly maxMessageBytes: number;

  constructor(props: FifoPublisherProps = {}) {
    const topicArn = props.topicArn ?? process.env[FIFO_FANOUT_ENV.TOPIC_ARN];
    if (topicArn === undefined || topicArn === '') {
      throw new FifoPublishValidationError(
        'topicArn',
        `is required: pass it, or grant the function with FifoFanout.grantPublish(fn), which sets ${FIFO_FANOUT_ENV.TOPIC_ARN}`,
      );
    }
    validateFifoTopicArn(topicArn);
    const maxMessageBytes = props.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    if (!Number.isInteger(maxMessageBytes) || maxMessageBytes < 1 || maxMessageBytes > MAX_CONFIGURABLE_MESSAGE_BYTES) {
      throw new FifoPublishValidationError(
        'maxMessageBytes',
        `must be an integer between 1 and ${MAX_CONFIGURABLE_MESSAGE_BYTES} (the SNS maximum), got ${maxMessageBytes}`,
      );
    }
    this.topicArn = topicArn;
    this.client = props.client ?? new SNSClient({});
    this.maxMessageBytes = maxMessageBytes;
  }

  /**
   * Publishes one message with a single `Publish` request.
   *
   * @throws FifoPublishValidationError when the message breaks an SNS FIFO rule (nothing is sent)
   * @throws the SDK's error when SNS rejects the request after the client's retries
   */
  public async publish(message: FifoMessage): Promise<FifoPublishResult> {
    const { fields } = encodeFifoMessage(message, this.maxMessageBytes);
    const response = await this.client.send(new PublishCommand({ TopicArn: this.topicArn, ...fields }));
    return { messageId: response.MessageId, sequenceNumber: response.SequenceNumber };
  }

  /**
   * Publishes many messages with as few `PublishBatch` requests as the limits allow (10 entries and
   * `maxMessageBytes` in total per request), in the order given.
   *
   * All messages are validated first; if any is invalid nothing is sent. After that this method does not throw for
   * service errors: every message ends up in `successful` or `failed`. Once a message of a group has failed, the
   * group's later messages in later requests are not sent (reported as {@link SKIPPED_AFTER_GROUP_FAILURE}) so they
   * cannot overtake it. Within one request SNS decides per entry, so a later entry of the same group may still
   * succeed after an earlier one failed; publish with `publish` if a group must stop at its first failure.
   *
   * @throws FifoPublishValidationError when any message breaks an SNS FIFO rule (field names like `messages[3].detail`)
   */
  public async publishBatch(messages: readonly FifoMessage[]): Promise<FifoPublishBatchResult> {
    const encoded = messages.map((message, index) => encodeFifoMessage(message, this.maxMessageBytes, `messages[${index}]`));
    const outcomes: Outcome[] = new Array(messages.length);
    const failedGroups = new Set<string>();

    for (const chunk of this.chunk(encoded)) {
      const toSend: number[] = [];
      for (const index of chunk) {
        if (failedGroups.has(encoded[index].fields.MessageGroupId)) {
          outcomes[index] = {
            ok: false,
            code: SKIPPED_AFTER_GROUP_FAILURE,
            reason: `not sent: an earlier message of group "${encoded[index].fields.MessageGroupId}" failed to publish`,
            senderFault: false,
          };
        } else {
          toSend.push(index);
        }
      }
      if (toSend.length === 0) continue;

      const chunkOutcomes = await this.sendChunk(toSend, encoded);
      for (const index of toSend) {
        const outcome = chunkOutcomes.get(index)!;
        outcomes[index] = outcome;
        if (!outcome.ok) failedGroups.add(encoded[index].fields.MessageGroupId);
      }
    }

    const result: FifoPublishBatchResult = { successful: [], failed: [] };
    outcomes.forEach((outcome, index) => {
      const message = messages[index];
      if (outcome.ok) {
        result.successful.push({ message, ...outcome.result });
      } else {
        result.failed.push({ message, code: outcome.code, reason: outcome.reason, senderFault: outcome.senderFault });
      }
    });
    return result;
  }

  /** Groups message indexes into requests of at most 10 entries and `maxMessageBytes` in total, keeping order. */
  private chunk(encoded: readonly EncodedFifoMessage[]): number[][] {
    const chunks: number[][] = [];
    let current: number[] = [];
    let currentBytes = 0;
    encoded.forEach((message, index) => {
      if (current.length === PUBLISH_BATCH_MAX_ENTRIES || currentBytes + message.sizeInBytes > this.maxMessageBytes) {
        chunks.push(current);
        current = [];
        currentBytes = 0;
      }
      current.push(index);
      currentBytes += message.sizeInBytes;
    });
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  /** Sends one request; a request that fails as a whole fails each of its entries with the error's name. */
  private async sendChunk(indexes: number[], encoded: readonly EncodedFifoMessage[]): Promise<Map<number, Outcome>> {
    const outcomes = new Map<number, Outcome>();
    let response: PublishBatchResponse;
    try {
      response = await this.client.send(new PublishBatchCommand({
        TopicArn: this.topicArn,
        // The message's index in the call is unique within the request and maps SNS's answer back to the message.
        PublishBatchRequestEntries: indexes.map((index) => ({ Id: String(index), ...encoded[index].fields })),
      }));
    } catch (error) {
      const err = error as Error & { $fault?: string };
      for (const index of indexes) {
        outcomes.set(index, {
          ok: false,
          code: err.name ?? 'Error',
          reason: err.message ?? String(error),
          senderFault: err.$fault === 'client',
        });
      }
      return outcomes;
    }

    const sent = new Set(indexes.map(String));
    for (const entry of response.Successful ?? []) {
      if (entry.Id !== undefined && sent.has(entry.Id)) {
        outcomes.set(Number(entry.Id), { ok: true, result: { messageId: entry.MessageId, sequenceNumber: entry.SequenceNumber } });
      }
    }
    // Failures are applied after successes so an entry reported in both lists counts as failed.
    for (const entry of response.Failed ?? []) {
      if (entry.Id !== undefined && sent.has(entry.Id)) outcomes.set(Number(entry.Id), failedEntryOutcome(entry));
    }
    for (const index of indexes) {
      if (!outcomes.has(index)) {
        outcomes.set(index, {
          ok: false,
          code: MISSING_FROM_RESPONSE,
          reason: 'SNS reported neither success nor failure for this entry; treat it as not published',
          senderFault: false,
        });
      }
    }
    return outcomes;
  }
}

function failedEntryOutcome(entry: BatchResultErrorEntry): Outcome {
  return {
    ok: false,
    code: entry.Code ?? 'Unknown',
    reason: entry.Message ?? entry.Code ?? 'SNS gave no reason',
    senderFault: entry.SenderFault ?? false,
  };
}
