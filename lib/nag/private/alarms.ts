import { NagRuleCompliance, NagRuleResult } from 'cdk-nag';
import { AppTemplate, TemplateResource } from './template';
import { isPlainObject, listValue, numberValue, stringValue, tryOr } from './values';

/** One metric an alarm watches. */
export interface AlarmedMetric {
  readonly alarm: TemplateResource;
  readonly namespace?: string;
  readonly metricName?: string;
  readonly dimensions: readonly unknown[];
  /** False for a metric inside a metric-math alarm, whose threshold applies to the expression, not the metric. */
  readonly direct: boolean;
  /** Whether the metric is readable (namespace, name and dimensions are literal or references). */
  readonly readable: boolean;
  /** For an unreadable `SEARCH` query, its expression: it can only match metrics it names. */
  readonly search?: string;
}

/**
 * Every metric watched by a CloudWatch alarm of the app (direct or inside metric math). A query the template
 * cannot spell out (a `SEARCH` expression, a conditional list) is an unreadable metric: it might be any of them.
 */
export function alarmedMetrics(template: AppTemplate): AlarmedMetric[] {
  return template.memo('cloudwatch:alarmed-metrics', () =>
    alarmsThatMayWatchSqs(template).flatMap((alarm) => {
      const p = alarm.properties;
      if (p.MetricName !== undefined) return [readMetric(alarm, p, true)];
      const queries = tryOr(() => listValue(p.Metrics, 'alarm metrics'), undefined);
      if (queries === undefined) return [unreadable(alarm)];
      return queries.flatMap((query) => {
        if (isPlainObject(query) && isPlainObject(query.MetricStat) && isPlainObject(query.MetricStat.Metric)) {
          return [readMetric(alarm, query.MetricStat.Metric, false)];
        }
        const expression = isPlainObject(query) ? query.Expression : undefined;
        if (typeof expression !== 'string') return [unreadable(alarm)];
        return /SEARCH\s*\(/i.test(expression) ? [unreadable(alarm, expression)] : [];
      });
    }),
  );
}

/**
 * The alarms of the app, rendered, except those that plainly watch one metric of another namespace (most alarms of
 * an app watch Lambda, API Gateway or custom metrics, and the rules here only look for SQS metrics).
 */
function alarmsThatMayWatchSqs(template: AppTemplate): TemplateResource[] {
  return template
    .nodesOfType(ALARM)
    .filter((node) => {
      const namespace = template.peek(node, 'namespace');
      return typeof namespace !== 'string' || namespace === SQS_NAMESPACE || template.mayHave(node, 'metrics');
    })
    .map((node) => template.get(node))
    .filter((r): r is TemplateResource => r !== undefined);
}

const ALARM = 'AWS::CloudWatch::Alarm';
const SQS_NAMESPACE = 'AWS/SQS';

function unreadable(alarm: TemplateResource, search?: string): AlarmedMetric {
  return { alarm, dimensions: [], direct: false, readable: false, search };
}

function readMetric(alarm: TemplateResource, source: Record<string, unknown>, direct: boolean): AlarmedMetric {
  const namespace = tryOr(() => stringValue(source.Namespace, 'namespace'), undefined);
  const metricName = tryOr(() => stringValue(source.MetricName, 'metric name'), undefined);
  const dimensions = tryOr(() => listValue(source.Dimensions, 'dimensions'), undefined);
  return {
    alarm,
    namespace,
    metricName,
    dimensions: dimensions ?? [],
    direct,
    readable: namespace !== undefined && metricName !== undefined && dimensions !== undefined,
  };
}

/** Whether an alarm watches a queue metric: `present`, `absent`, or `unknown` when some alarm cannot be read. */
export type AlarmPresence = 'present' | 'absent' | 'unknown';

/**
 * Looks for an alarm on one of the SQS metrics `metricNames` of `queue` (its `QueueName` dimension a reference to
 * the queue or its literal name) that `accepts` (e.g. fires on one message).
 */
export function queueAlarmPresence(
  template: AppTemplate,
  queue: TemplateResource,
  metricNames: readonly string[],
  accepts: (metric: AlarmedMetric) => boolean = () => true,
): AlarmPresence {
  const literalName = tryOr(() => stringValue(queue.properties.QueueName, 'queue name'), undefined);
  let unknown = false;
  for (const candidate of alarmedMetrics(template)) {
    if (!candidate.readable) {
      // An alarm whose metric cannot be read might be the one we look for.
      const named = candidate.search === undefined || ['AWS/SQS', ...metricNames].some((n) => candidate.search!.includes(n));
      if (named && (candidate.metricName === undefined || metricNames.includes(candidate.metricName))) unknown = true;
      continue;
    }
    if (candidate.namespace !== 'AWS/SQS' || !metricNames.includes(candidate.metricName!)) continue;
    const dimension = candidate.dimensions.find((d) => isPlainObject(d) && d.Name === 'QueueName');
    const value = isPlainObject(dimension) ? dimension.Value : undefined;
    const denoted = template.denote(value, candidate.alarm);
    const matches =
      (denoted.kind === 'resource' && denoted.resource === queue) ||
      (denoted.kind === 'literal' && literalName !== undefined && denoted.value === literalName);
    if (denoted.kind === 'unknown') unknown = true;
    if (matches && tryOr(() => accepts(candidate), false)) return 'present';
  }
  return unknown ? 'unknown' : 'absent';
}

/** Whether a direct alarm fires as soon as the metric reaches 1 (e.g. one message in a dead-letter queue). */
export function firesOnFirstUnit(metric: AlarmedMetric): boolean {
  if (!metric.direct) return true; // metric math: its expression decides, trust the author
  const threshold = numberValue(metric.alarm.properties.Threshold, 'threshold');
  switch (metric.alarm.properties.ComparisonOperator) {
    case 'GreaterThanThreshold':
      return threshold !== undefined && threshold < 1;
    case 'GreaterThanOrEqualToThreshold':
      return threshold !== undefined && threshold <= 1;
    default:
      return false;
  }
}

/** A rule result from an alarm search: no alarm is a finding, an alarm that cannot be read makes it not applicable. */
export function presenceResult(presence: AlarmPresence): NagRuleResult {
  if (presence === 'present') return NagRuleCompliance.COMPLIANT;
  return presence === 'absent' ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.NOT_APPLICABLE;
}
