import { NagRuleCompliance } from 'cdk-nag';
import { SQS } from '../../../core/private/limits';
import { EventSourceKind } from '../../private/lambda';
import { QUEUE } from '../../private/messaging';
import { PIPE, pipeSource } from '../../private/pipes';
import { compliantUnless, defineRule } from '../../private/rule';
import { numberValue } from '../../private/values';

/**
 * A pipe reading an SQS queue does not gather a batch for longer than the queue hides what it has read: the pipe
 * keeps polling until its batching window (`MaximumBatchingWindowInSeconds`) ends, and each message it has read
 * stays in the queue, hidden only for the queue's visibility timeout. A window longer than that timeout lets the
 * first messages of a batch reappear and be read again (by this or another poller) before the batch is delivered:
 * they are delivered twice. Source: EventBridge user guide, "Amazon Simple Queue Service as a source"
 * (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html: the batch window, and "the messages
 * stay in the queue but are hidden for the length of the queue's visibility timeout"). Not applicable when the
 * queue is outside the app or the pipe sets no window.
 */
export const PipeSqsBatchingWindowWithinVisibility = defineRule(__filename, [PIPE], (pipe, template) => {
  const { kind, parameters } = pipeSource(template, pipe);
  if (kind !== EventSourceKind.SQS) return NagRuleCompliance.NOT_APPLICABLE;
  const queue = template.resourceAt(pipe.properties.Source, pipe, QUEUE);
  const window = numberValue(parameters?.MaximumBatchingWindowInSeconds, 'MaximumBatchingWindowInSeconds');
  if (!queue || window === undefined) return NagRuleCompliance.NOT_APPLICABLE;
  const visibility = numberValue(queue.properties.VisibilityTimeout, 'VisibilityTimeout', SQS.defaultVisibilityTimeoutSeconds);
  return compliantUnless(window > visibility);
});
