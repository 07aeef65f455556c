import { Token } from 'aws-cdk-lib';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import { PIPES } from '../../core/private/limits';
import { Problems } from '../../core/private/validation';
import { OutboxCaptureOptions } from '../capture';
import {
  OUTBOX_CAPTURE_DEFAULTS, OUTBOX_CAPTURE_ENV, OUTBOX_CAPTURED_CHANGES, OUTBOX_ENV, OUTBOX_INPUT_TEMPLATE, OUTBOX_LIMITS, OutboxTarget,
} from '../contract';
import { OutboxTableAttributes, TransactionalOutboxProps } from '../props';

/**
 * Change-capture mode, resolved: the item's own stream record is the event.
 *
 * Order: "for each item that is modified in a DynamoDB table, the stream records appear in the same sequence as the
 * actual modifications to the item" (DynamoDB Streams, https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Streams.html).
 * and "EventBridge Pipes maintains the order of records from the data stream when sending that data to the
 * destination" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-dynamodb.html). So each item's
 * events reach the target in the order of its writes: per-item order holds by construction, whichever shards the
 * table's items land on, and with one write per event there is no second item whose record could overtake it. Nothing
 * orders two different items (the DynamoDB Streams page promises order per item only), so the sequence is per item.
 */
export interface ResolvedCapture {
  readonly itemTypes: string[];
  readonly attributes: string[];
  readonly typeAttribute: string;
  readonly aggregateIdAttribute: string;
  readonly sequenceAttribute: string;
  readonly keyAttributes: string[];
}

/** Pipes: a filter pattern is at most 4,096 characters (https://docs.aws.amazon.com/eventbridge/latest/pipes-reference/API_Filter.html). */
const MAX_FILTER_PATTERN_LENGTH = 4_096;

/** Checks the capture options against the props and the table, and fills in the defaults. */
export function resolveCapture(
  problems: Problems,
  props: TransactionalOutboxProps,
  capture: OutboxCaptureOptions,
  table: OutboxTableAttributes,
): ResolvedCapture {
  const keyAttributes = table.sortKey === undefined ? [table.partitionKey] : [table.partitionKey, table.sortKey];
  const resolved: ResolvedCapture = {
    itemTypes: capture.itemTypes,
    attributes: capture.attributes,
    typeAttribute: capture.typeAttribute ?? OUTBOX_CAPTURE_DEFAULTS.typeAttribute,
    aggregateIdAttribute: capture.aggregateIdAttribute ?? table.partitionKey,
    sequenceAttribute: capture.sequenceAttribute ?? OUTBOX_CAPTURE_DEFAULTS.sequenceAttribute,
    keyAttributes,
  };
  problems.check(props.retention === undefined, 'TransactionalOutbox.RetentionWithCapture',
    'retention was given with capture: it is how long outbox rows are kept, and change capture writes none',
    'drop retention (expire your items with the table\'s TTL attribute if they should expire)');
  const types = resolved.itemTypes.filter((t) => !Token.isUnresolved(t));
  problems.check(resolved.itemTypes.length > 0 && types.every((t) => t.length > 0), 'TransactionalOutbox.CaptureItemTypes',
    'capture.itemTypes is empty or holds an empty string: nothing would be published',
    'name the item types to publish, e.g. itemTypes: [\'Order\'] (values of the type attribute)');
  // The item type becomes the bus event's detail-type.
  for (const type of types) {
    problems.check(type.length <= OUTBOX_LIMITS.maxDetailTypeLength, 'TransactionalOutbox.CaptureItemTypeLength',
      `item type "${type}" is ${type.length} characters, but it becomes the event's detail-type`,
      `use item types of 1 to ${OUTBOX_LIMITS.maxDetailTypeLength} characters`);
  }
  problems.check(new Set(resolved.itemTypes).size === resolved.itemTypes.length, 'TransactionalOutbox.CaptureDuplicateItemTypes',
    `capture.itemTypes lists a type twice (${resolved.itemTypes.join(', ')})`, 'list each item type once');
  problems.check(resolved.attributes.length > 0 && resolved.attributes.every((a) => a.length > 0), 'TransactionalOutbox.CaptureAttributes',
    'capture.attributes is empty or holds an empty name: every event\'s data would be empty',
    'name the attributes each event carries, e.g. attributes: [\'orderId\', \'status\', \'total\']');
  problems.check(new Set(resolved.attributes).size === resolved.attributes.length, 'TransactionalOutbox.CaptureDuplicateAttributes',
    `capture.attributes lists an attribute twice (${resolved.attributes.join(', ')})`, 'list each attribute once');
  problems.check(!keyAttributes.includes(resolved.sequenceAttribute) && resolved.sequenceAttribute !== resolved.typeAttribute,
    'TransactionalOutbox.CaptureSequenceAttribute',
    `capture.sequenceAttribute ${resolved.sequenceAttribute} is a key or the type attribute, but it must be a number the writer increments`,
    'name a number attribute of its own, e.g. sequenceAttribute: \'version\'');
  problems.check(!keyAttributes.includes(resolved.typeAttribute), 'TransactionalOutbox.CaptureTypeAttribute',
    `capture.typeAttribute ${resolved.typeAttribute} is a key attribute of the table`,
    'name the attribute that holds the item type, e.g. typeAttribute: \'type\'');
  for (const attribute of [resolved.typeAttribute, resolved.aggregateIdAttribute]) {
    // The target's dynamic parameters read these attributes at $.dynamodb.NewImage.<name>.S.
    const path = capturePath(attribute);
    problems.check(path.length <= PIPES.targetPathLength.max, 'TransactionalOutbox.CaptureAttributeNameLength',
      `attribute name ${attribute} makes the target parameter path ${path} longer than ${PIPES.targetPathLength.max} characters`,
      'use a shorter attribute name');
  }
  const pattern = JSON.stringify(captureFilterPattern(resolved));
  problems.check(pattern.length <= MAX_FILTER_PATTERN_LENGTH, 'TransactionalOutbox.CaptureFilterTooLong',
    `the pipe filter for ${resolved.itemTypes.length} item types is ${pattern.length} characters, over the ${MAX_FILTER_PATTERN_LENGTH} Pipes accepts`,
    'capture fewer or shorter item types (or split them across two outboxes)');
  return resolved;
}

/**
 * The pipe filter: creations and changes (INSERT, MODIFY) of items whose type attribute is one of the captured types.
 * Deletions have no new image; other items do not match. Filter syntax as in "Amazon EventBridge Pipes event
 * filtering" (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-event-filtering.html).
 */
export function captureFilterPattern(capture: ResolvedCapture): Record<string, unknown> {
  return {
    eventName: [...OUTBOX_CAPTURED_CHANGES],
    dynamodb: { NewImage: { [capture.typeAttribute]: { S: [...capture.itemTypes] } } },
  };
}

/** A string attribute of the new image, at the same path in the stream record and in the capture enrichment's output. */
function capturePath(attribute: string): string {
  return `$.dynamodb.NewImage.${attribute}.S`;
}

/**
 * The target parameters of change capture: the same envelope template as outbox rows, with dynamic parameters that
 * resolve to the same values on the stream record and on the enrichment's output (the enrichment echoes `eventID` and
 * the two routing attributes), so it does not matter which of the two Pipes evaluates them against. The stream
 * record's `eventID` identifies the change: the FIFO deduplication id and the bus event's resource.
 */
export function captureTargetParameters(
  target: OutboxTarget,
  eventSource: string,
  capture: ResolvedCapture,
): pipes.CfnPipe.PipeTargetParametersProperty {
  if (target === OutboxTarget.FIFO_QUEUE) {
    return {
      inputTemplate: OUTBOX_INPUT_TEMPLATE,
      sqsQueueParameters: {
        messageGroupId: capturePath(capture.aggregateIdAttribute),
        messageDeduplicationId: '$.eventID',
      },
    };
  }
  return {
    inputTemplate: OUTBOX_INPUT_TEMPLATE,
    eventBridgeEventBusParameters: {
      source: eventSource,
      detailType: capturePath(capture.typeAttribute),
      resources: ['$.eventID'],
    },
  };
}

/**
 * The capture enrichment's environment; the target and batch size decide the largest event it passes on (larger ones
 * it sets aside: nothing refused them before they were written).
 */
export function captureEnvironment(capture: ResolvedCapture, target: OutboxTarget, batchSize: number): Record<string, string> {
  return {
    [OUTBOX_ENV.TARGET]: target,
    [OUTBOX_ENV.BATCH_SIZE]: String(batchSize),
    [OUTBOX_CAPTURE_ENV.ATTRIBUTES]: JSON.stringify(capture.attributes),
    [OUTBOX_CAPTURE_ENV.TYPE_ATTRIBUTE]: capture.typeAttribute,
    [OUTBOX_CAPTURE_ENV.AGGREGATE_ID_ATTRIBUTE]: capture.aggregateIdAttribute,
    [OUTBOX_CAPTURE_ENV.SEQUENCE_ATTRIBUTE]: capture.sequenceAttribute,
    [OUTBOX_CAPTURE_ENV.KEY_ATTRIBUTES]: JSON.stringify(capture.keyAttributes),
  };
}
