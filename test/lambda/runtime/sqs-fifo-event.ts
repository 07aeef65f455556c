/**
 * Builds SQS FIFO events shaped like the ones Lambda delivers from a FIFO queue fed by an SNS FIFO subscription with
 * raw message delivery (body = the published message, SNS message attributes = SQS message attributes).
 */
import type { SQSEvent, SQSRecord } from 'aws-lambda';

export interface FifoTestMessage {
  /** Defaults to `msg-<position>`. */
  readonly messageId?: string;
  readonly groupId: string;
  /** Serialised with JSON.stringify unless it is already a string (use a string for malformed bodies). */
  readonly body: unknown;
  readonly eventType?: string;
  readonly deduplicationId?: string;
  readonly receiveCount?: number;
}

export const TEST_QUEUE_ARN = 'arn:aws:sqs:us-east-1:123456789012:analytics.fifo';
/** SentTimestamp of the first record; later records are one second apart. */
export const FIRST_SENT_TIMESTAMP = 1_700_000_000_000;

export function sqsFifoRecord(message: FifoTestMessage, position = 0): SQSRecord {
  const messageId = message.messageId ?? `msg-${position + 1}`;
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body: typeof message.body === 'string' ? message.body : JSON.stringify(message.body),
    attributes: {
      ApproximateReceiveCount: String(message.receiveCount ?? 1),
      SentTimestamp: String(FIRST_SENT_TIMESTAMP + position * 1000),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(FIRST_SENT_TIMESTAMP + position * 1000 + 50),
      SequenceNumber: String(18_000_000_000_000_000_000n + BigInt(position)),
      MessageGroupId: message.groupId,
      MessageDeduplicationId: message.deduplicationId ?? `dedup-${messageId}`,
    },
    messageAttributes: message.eventType
      ? { eventType: { dataType: 'String', stringValue: message.eventType, stringListValues: [], binaryListValues: [] } }
      : {},
    md5OfBody: 'not-checked',
    eventSource: 'aws:sqs',
    eventSourceARN: TEST_QUEUE_ARN,
    awsRegion: 'us-east-1',
  };
}

export function sqsFifoEvent(messages: readonly FifoTestMessage[]): SQSEvent {
  return { Records: messages.map((message, position) => sqsFifoRecord(message, position)) };
}

/** The message ids of a `batchItemFailures` list, in order, for compact assertions. */
export function failedIds(response: { batchItemFailures: { itemIdentifier: string }[] }): string[] {
  return response.batchItemFailures.map((failure) => failure.itemIdentifier);
}
