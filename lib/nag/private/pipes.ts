import { arnResource, arnService } from './arn';
import { EventSourceKind, sourceKind } from './lambda';
import { AppTemplate, TemplateResource } from './template';
import { isPlainObject, JsonObject, objectValue } from './values';

export const PIPE = 'AWS::Pipes::Pipe';

/** The source parameters block of each source kind. */
const SOURCE_PARAMETERS: Partial<Record<EventSourceKind, string>> = {
  [EventSourceKind.SQS]: 'SqsQueueParameters',
  [EventSourceKind.KINESIS]: 'KinesisStreamParameters',
  [EventSourceKind.DYNAMODB_STREAM]: 'DynamoDBStreamParameters',
};

/** What a pipe reads and the parameters of that source (undefined when it sets none). */
export function pipeSource(template: AppTemplate, pipe: TemplateResource): { kind: EventSourceKind; parameters?: JsonObject } {
  const kind = sourceKind(template, pipe.properties.Source, pipe);
  const block = SOURCE_PARAMETERS[kind];
  const all = objectValue(pipe.properties.SourceParameters, 'SourceParameters');
  return { kind, parameters: block ? objectValue(all?.[block], block) : undefined };
}

/** Kinds of pipe target that matter to the rules. */
export enum PipeTargetKind {
  EVENT_BUS = 'event-bus',
  SNS_TOPIC = 'sns-topic',
  SQS_QUEUE = 'sqs-queue',
  KINESIS_STREAM = 'kinesis-stream',
  FIREHOSE = 'firehose',
  LOG_GROUP = 'log-group',
  OTHER = 'other',
}

const TARGET_RESOURCE_KINDS: Record<string, PipeTargetKind> = {
  'AWS::Events::EventBus': PipeTargetKind.EVENT_BUS,
  'AWS::SNS::Topic': PipeTargetKind.SNS_TOPIC,
  'AWS::SQS::Queue': PipeTargetKind.SQS_QUEUE,
  'AWS::Kinesis::Stream': PipeTargetKind.KINESIS_STREAM,
  'AWS::KinesisFirehose::DeliveryStream': PipeTargetKind.FIREHOSE,
  'AWS::Logs::LogGroup': PipeTargetKind.LOG_GROUP,
};

const TARGET_SERVICE_KINDS: Record<string, PipeTargetKind> = {
  sns: PipeTargetKind.SNS_TOPIC,
  sqs: PipeTargetKind.SQS_QUEUE,
  kinesis: PipeTargetKind.KINESIS_STREAM,
  firehose: PipeTargetKind.FIREHOSE,
  logs: PipeTargetKind.LOG_GROUP,
};

/** What a pipe delivers to; undefined when the target ARN cannot be read. */
export function pipeTargetKind(template: AppTemplate, pipe: TemplateResource): PipeTargetKind | undefined {
  const target = pipe.properties.Target;
  const denoted = template.denote(target, pipe);
  if (denoted.kind === 'resource') return TARGET_RESOURCE_KINDS[denoted.resource.type] ?? PipeTargetKind.OTHER;
  const service = arnService(target);
  if (service === undefined) return undefined;
  if (service === 'events') return arnResource(target)?.startsWith('event-bus/') ? PipeTargetKind.EVENT_BUS : PipeTargetKind.OTHER;
  return TARGET_SERVICE_KINDS[service] ?? PipeTargetKind.OTHER;
}

/** The filter patterns of a pipe's source (parsed), or undefined when it filters nothing. */
export function pipeFilterPatterns(pipe: TemplateResource): JsonObject[] | undefined {
  const criteria = objectValue(objectValue(pipe.properties.SourceParameters, 'SourceParameters')?.FilterCriteria, 'FilterCriteria');
  const filters = criteria?.Filters;
  if (!Array.isArray(filters) || filters.length === 0) return undefined;
  return filters.map((filter) => objectValue(isPlainObject(filter) ? filter.Pattern : undefined, 'filter pattern') ?? {});
}

/** The pipes of the app that read each queue of the app. */
export function pipesReading(template: AppTemplate, queue: TemplateResource): TemplateResource[] {
  const byQueue = template.memo('pipes:by-source-queue', () => {
    const map = new Map<TemplateResource, TemplateResource[]>();
    for (const pipe of template.ofType(PIPE)) {
      const source = template.resourceAt(pipe.properties.Source, pipe, 'AWS::SQS::Queue');
      if (source) map.set(source, [...(map.get(source) ?? []), pipe]);
    }
    return map;
  });
  return byQueue.get(queue) ?? [];
}
