import { NagRuleCompliance } from 'cdk-nag';
import { EventSourceKind } from '../../private/lambda';
import { PIPE, pipeFilterPatterns, pipeSource, PipeTargetKind, pipeTargetKind } from '../../private/pipes';
import { defineRule, findingsOrCompliant } from '../../private/rule';
import { booleanValue, isPlainObject, JsonObject, pathValue } from '../../private/values';

const TABLE_TYPES = ['AWS::DynamoDB::Table', 'AWS::DynamoDB::GlobalTable'];

/**
 * A pipe that publishes a DynamoDB table's changes as business events (to an event bus or SNS topic) states
 * where it starts reading (`StartingPosition`) and, when the table expires items by TTL, filters out `REMOVE`
 * records: TTL deletions would otherwise go out as business "deleted" events. Findings: `StartingPosition`,
 * `RemoveEvents`. A filter on `userIdentity` (telling TTL deletions apart) is trusted; one the rule cannot
 * evaluate makes `RemoveEvents` not applicable.
 */
export const PipeDynamoDBStreamRemoveFiltered = defineRule(__filename, [PIPE], (pipe, template) => {
  const { kind, parameters } = pipeSource(template, pipe);
  const target = pipeTargetKind(template, pipe);
  if (kind !== EventSourceKind.DYNAMODB_STREAM || (target !== PipeTargetKind.EVENT_BUS && target !== PipeTargetKind.SNS_TOPIC)) {
    return NagRuleCompliance.NOT_APPLICABLE;
  }
  const findings: string[] = [];
  if (parameters?.StartingPosition === undefined) findings.push('StartingPosition');
  const table = template.resourceAt(pipe.properties.Source, pipe, ...TABLE_TYPES);
  const ttl = table && booleanValue(pathValue(table.properties, ['TimeToLiveSpecification', 'Enabled'], 'TTL'), 'TTL Enabled');
  if (ttl) {
    const verdicts = (pipeFilterPatterns(pipe) ?? [{}]).map(letsRemoveThrough);
    if (verdicts.includes(true)) findings.push('RemoveEvents');
    else if (verdicts.includes(undefined) && findings.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  }
  return findingsOrCompliant(findings);
});

/** Whether records with `eventName: REMOVE` match a filter pattern; undefined when the pattern cannot be evaluated. */
function letsRemoveThrough(pattern: JsonObject): boolean | undefined {
  const eventName = pattern.eventName;
  if (eventName === undefined) return pattern.userIdentity === undefined ? true : undefined;
  if (!Array.isArray(eventName)) return undefined;
  let unknown = false;
  for (const matcher of eventName) {
    const verdict = matchesRemove(matcher);
    if (verdict === true) return true;
    if (verdict === undefined) unknown = true;
  }
  return unknown ? undefined : false;
}

function matchesRemove(matcher: unknown): boolean | undefined {
  if (typeof matcher === 'string') return matcher === 'REMOVE';
  if (!isPlainObject(matcher)) return undefined;
  const excluded = matcher['anything-but'];
  if (typeof excluded === 'string') return excluded !== 'REMOVE';
  if (Array.isArray(excluded) && excluded.every((e) => typeof e === 'string')) return !excluded.includes('REMOVE');
  if (typeof matcher.prefix === 'string') return 'REMOVE'.startsWith(matcher.prefix);
  return undefined;
}
