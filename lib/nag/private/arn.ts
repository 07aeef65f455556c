import { isPlainObject } from './values';

/**
 * The service of an ARN (`sqs`, `kinesis`, `dynamodb`...), for a literal ARN or one CloudFormation assembles
 * with `Fn::Join` around pseudo parameters (`arn:${AWS::Partition}:sqs:${AWS::Region}:...`, as `Stack.formatArn`
 * and imported resources render it). Undefined when the service part itself is not literal.
 */
export function arnService(value: unknown): string | undefined {
  const text = literalSkeleton(value);
  if (text === undefined) return undefined;
  const parts = text.split(':');
  if (parts[0] !== 'arn' || parts.length < 3 || parts[2].includes(UNKNOWN_PART) || parts[2] === '') return undefined;
  return parts[2];
}

/** The resource part of an ARN (after the fifth colon), when literal; e.g. `table/Orders/stream/2024...`. */
export function arnResource(value: unknown): string | undefined {
  const text = literalSkeleton(value);
  if (text === undefined) return undefined;
  const parts = text.split(':');
  if (parts[0] !== 'arn' || parts.length < 6) return undefined;
  return parts.slice(5).join(':');
}

const UNKNOWN_PART = '\u0000';

/** A string with every non-literal part of an `Fn::Join` replaced by a marker character. */
function literalSkeleton(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!isPlainObject(value) || !Array.isArray(value['Fn::Join'])) return undefined;
  const [delimiter, parts] = value['Fn::Join'] as unknown[];
  if (typeof delimiter !== 'string' || !Array.isArray(parts)) return undefined;
  return parts.map((part) => (typeof part === 'string' ? part : UNKNOWN_PART)).join(delimiter);
}

/** Whether an ARN (literal or joined) has a `*` or `?` wildcard in its literal parts. */
export function hasWildcard(value: unknown): boolean {
  const text = literalSkeleton(value);
  return text !== undefined && /[*?]/.test(text);
}
