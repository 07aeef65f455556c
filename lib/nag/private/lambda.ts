import { arnResource, arnService } from './arn';
import { AppTemplate, TemplateResource } from './template';
import { isPlainObject, numberValue } from './values';

export const FUNCTION = 'AWS::Lambda::Function';
export const EVENT_SOURCE_MAPPING = 'AWS::Lambda::EventSourceMapping';

/** Lambda's default function timeout, seconds. */
const DEFAULT_TIMEOUT_SECONDS = 3;

/**
 * The function a value names: the function itself (name or ARN), or an alias or version of it. Undefined when the
 * value names something outside the app.
 */
export function functionAt(template: AppTemplate, value: unknown, from: TemplateResource): TemplateResource | undefined {
  const target = template.resourceAt(withoutQualifier(value), from, FUNCTION, 'AWS::Lambda::Alias', 'AWS::Lambda::Version');
  if (!target || target.type === FUNCTION) return target;
  return template.resourceAt(target.properties.FunctionName, target, FUNCTION);
}

/**
 * The reference inside a function name built from one: `name:qualifier` (`Fn::Join` of a reference and
 * `:alias`) and a part of an ARN (`Fn::Select` of `Fn::Split`), as aws-cdk-lib names an alias's function.
 */
function withoutQualifier(value: unknown): unknown {
  if (!isPlainObject(value)) return value;
  const join = value['Fn::Join'];
  if (Array.isArray(join) && join[0] === '' && Array.isArray(join[1])) {
    const [head, ...rest] = join[1] as unknown[];
    const qualified = rest.length > 0 && rest.every((part) => typeof part === 'string' && part.startsWith(':'));
    return qualified ? withoutQualifier(head) : value;
  }
  const select = value['Fn::Select'];
  const split = Array.isArray(select) && isPlainObject(select[1]) ? select[1]['Fn::Split'] : undefined;
  return Array.isArray(split) ? withoutQualifier(split[1]) : value;
}

export function functionTimeoutSeconds(fn: TemplateResource): number {
  return numberValue(fn.properties.Timeout, 'function Timeout', DEFAULT_TIMEOUT_SECONDS);
}

/** The kind of source an event source mapping polls. */
export enum EventSourceKind {
  SQS = 'sqs',
  KINESIS = 'kinesis',
  DYNAMODB_STREAM = 'dynamodb-stream',
  OTHER = 'other',
  UNKNOWN = 'unknown',
}

/** What an event source mapping (or a pipe, given its source) reads from. */
export function sourceKind(template: AppTemplate, source: unknown, from: TemplateResource): EventSourceKind {
  if (source === undefined) return EventSourceKind.OTHER; // self-managed Kafka has no source ARN
  const denoted = template.denote(source, from);
  if (denoted.kind === 'resource') {
    switch (denoted.resource.type) {
      case 'AWS::SQS::Queue':
        return EventSourceKind.SQS;
      case 'AWS::Kinesis::Stream':
      case 'AWS::Kinesis::StreamConsumer':
        return EventSourceKind.KINESIS;
      case 'AWS::DynamoDB::Table':
      case 'AWS::DynamoDB::GlobalTable':
        return denoted.attribute === 'StreamArn' ? EventSourceKind.DYNAMODB_STREAM : EventSourceKind.OTHER;
      default:
        return EventSourceKind.OTHER;
    }
  }
  switch (arnService(source)) {
    case 'sqs':
      return EventSourceKind.SQS;
    case 'kinesis':
      return EventSourceKind.KINESIS;
    case 'dynamodb':
      return arnResource(source)?.includes('/stream/') ? EventSourceKind.DYNAMODB_STREAM : EventSourceKind.UNKNOWN;
    case undefined:
      return EventSourceKind.UNKNOWN;
    default:
      return EventSourceKind.OTHER;
  }
}

/** The event source mappings that invoke each function of the app. */
export function eventSourceMappingsInvoking(template: AppTemplate, fn: TemplateResource): TemplateResource[] {
  const byFunction = template.memo('lambda:esm-by-function', () => {
    const map = new Map<TemplateResource, TemplateResource[]>();
    for (const esm of template.ofType(EVENT_SOURCE_MAPPING)) {
      const target = functionAt(template, esm.properties.FunctionName, esm);
      if (target) map.set(target, [...(map.get(target) ?? []), esm]);
    }
    return map;
  });
  return byFunction.get(fn) ?? [];
}

/** The execution role of a function, when the app defines it. */
export function roleOf(template: AppTemplate, fn: TemplateResource): TemplateResource | undefined {
  return template.resourceAt(fn.properties.Role, fn, 'AWS::IAM::Role');
}

/** Stream retry settings (`MaximumRetryAttempts`, `MaximumRecordAgeInSeconds`) default to -1: infinite. */
export function unboundedStreamSetting(value: unknown, what: string): boolean {
  return numberValue(value, what, -1) === -1;
}
