import * as pipes from 'aws-cdk-lib/aws-pipes';
import { OUTBOX_CAPTURED_CHANGES, OUTBOX_INPUT_TEMPLATE, OUTBOX_KEY_PREFIX, OUTBOX_ROW_ATTRIBUTES, OutboxTarget } from '../contract';
import { OutboxTableAttributes } from '../props';

/**
 * The pipe filter: new images of outbox items only, the INSERT of an aggregate's first event and the MODIFY of each
 * later one (every event of an aggregate is a new image of its one outbox item: see OUTBOX_ORDERING). Their TTL
 * deletions (REMOVE) are not events, and business items are not outbox items. The match is on the key (present in
 * every stream record, whatever the view type) that carries the `OUTBOX#` prefix.
 */
export function outboxFilterPattern(shape: OutboxTableAttributes): Record<string, unknown> {
  const outboxKey = shape.sortKey ?? shape.partitionKey;
  return {
    eventName: [...OUTBOX_CAPTURED_CHANGES],
    dynamodb: { Keys: { [outboxKey]: { S: [{ prefix: OUTBOX_KEY_PREFIX }] } } },
  };
}

/** The JSON path of a routing attribute, the same in the stream record and in the enrichment's output. */
function routingPath(attribute: string): string {
  return `$.dynamodb.NewImage.${attribute}.S`;
}

/**
 * What the target receives from each delivery the enrichment returns: the outbox envelope (see OUTBOX_ENVELOPE) as
 * the event's detail on a bus (with the outbox's source, the row's detail-type, occurred-at as the event time and the
 * event id as its resource), or as the body of a FIFO message grouped by aggregate id and deduplicated by event id.
 * The template is a JSON object with paths as values, the one form whose output the Pipes guide specifies for
 * objects ("Amazon EventBridge Pipes input transformation", "Common issues with transforming input").
 */
export function outboxTargetParameters(target: OutboxTarget, eventSource: string): pipes.CfnPipe.PipeTargetParametersProperty {
  if (target === OutboxTarget.FIFO_QUEUE) {
    return {
      inputTemplate: OUTBOX_INPUT_TEMPLATE,
      sqsQueueParameters: {
        messageGroupId: routingPath(OUTBOX_ROW_ATTRIBUTES.aggregateId),
        messageDeduplicationId: routingPath(OUTBOX_ROW_ATTRIBUTES.eventId),
      },
    };
  }
  return {
    inputTemplate: OUTBOX_INPUT_TEMPLATE,
    eventBridgeEventBusParameters: {
      source: eventSource,
      detailType: routingPath(OUTBOX_ROW_ATTRIBUTES.detailType),
      time: routingPath(OUTBOX_ROW_ATTRIBUTES.occurredAt),
      resources: [routingPath(OUTBOX_ROW_ATTRIBUTES.eventId)],
    },
  };
}
