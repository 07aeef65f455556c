/** Sets malformed outbox images aside on an SQS queue, 10 per SendMessageBatch; any entry SQS refuses fails the call. */
import { SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { MalformedImage, SetAside, setAsideMessage } from './enrich';
import { OUTBOX_MALFORMED } from '../../lib/transactional-outbox/contract';

export function sqsSetAside(client: SQSClient, queueUrl: string): SetAside {
  return async (malformed: readonly MalformedImage[]) => {
    for (let start = 0; start < malformed.length; start += OUTBOX_MALFORMED.maxBatchEntries) {
      const chunk = malformed.slice(start, start + OUTBOX_MALFORMED.maxBatchEntries);
      const output = await client.send(new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: chunk.map((image, index) => ({ Id: String(index), MessageBody: setAsideMessage(image) })),
      }));
      if ((output.Failed ?? []).length > 0) {
        throw new Error(`outbox-enrichment: the set-aside queue refused ${output.Failed!.length} malformed image(s): ` +
          output.Failed!.map((f) => `${f.Code}: ${f.Message ?? ''}`).join('; '));
      }
    }
  };
}
