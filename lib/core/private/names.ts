import { Token } from 'aws-cdk-lib';
import { CLOUDWATCH, DYNAMODB, EVENTBRIDGE, SNS, SQS } from './limits';
import { Problems } from './validation';

/**
 * The suffix every SNS FIFO topic name and SQS FIFO queue name ends with (SNS CreateTopic and SQS CreateQueue API
 * references). Written once: checks and generated names read it from here.
 */
export const FIFO_SUFFIX = '.fifo';

/**
 * Checks a queue name (given as a prop, or read from a queue defined in the app): the `.fifo` suffix exactly when the
 * queue is FIFO, at most 80 characters including it, letters, digits, hyphens and underscores. `idPrefix` names the
 * construct the problem belongs to (e.g. `SecureQueue`, `ExistingQueue`).
 */
export function checkQueueName(problems: Problems, idPrefix: string, name: string | undefined, fifo: boolean): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  problems.check(
    fifo === name.endsWith(FIFO_SUFFIX),
    `${idPrefix}.NameFifoSuffix`,
    fifo ? `FIFO queue name "${name}" does not end in .fifo` : `standard queue name "${name}" ends in .fifo`,
    fifo ? `rename it to "${name}.fifo"` : 'drop the .fifo suffix or pass fifo: true',
  );
  problems.check(
    SQS.namePattern.test(name) && name.length <= SQS.nameLength.max,
    `${idPrefix}.Name`,
    `queue name "${name}" (${name.length} characters) is not valid`,
    `use up to ${SQS.nameLength.max} characters: letters, digits, hyphens and underscores (the .fifo suffix included)`,
  );
}

/** Checks a FIFO topic name: `.fifo` suffix, at most 256 characters including it, letters, digits, `-` and `_`. */
export function checkFifoTopicName(problems: Problems, idPrefix: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  const suffixed = problems.check(
    name.endsWith(FIFO_SUFFIX),
    `${idPrefix}.TopicNameFifoSuffix`,
    `FIFO topic name "${name}" does not end in .fifo`,
    `rename it to "${name}.fifo"`,
  );
  // A name without the suffix is already reported; its other characters are checked once it has one.
  if (!suffixed) return;
  problems.check(
    SNS.fifoTopicNamePattern.test(name) && name.length <= SNS.topicNameLength.max,
    `${idPrefix}.TopicName`,
    `topic name "${name}" (${name.length} characters) is not valid`,
    `use up to ${SNS.topicNameLength.max} characters: letters, digits, hyphens and underscores, ending in .fifo`,
  );
}

/** Checks a DynamoDB table name: 3 to 255 characters, letters, digits, `_`, `-` and `.`. */
export function checkTableName(problems: Problems, idPrefix: string, name: string | undefined): void {
  if (name === undefined || Token.isUnresolved(name)) return;
  problems.check(
    DYNAMODB.tableNamePattern.test(name) && name.length >= DYNAMODB.tableNameLength.min && name.length <= DYNAMODB.tableNameLength.max,
    `${idPrefix}.TableName`,
    `table name "${name}" (${name.length} characters) is not valid`,
    `use ${DYNAMODB.tableNameLength.min} to ${DYNAMODB.tableNameLength.max} characters: letters, digits, underscores, hyphens and dots`,
  );
}

/** Checks an EventBridge rule description: at most 512 characters. */
export function checkRuleDescription(problems: Problems, idPrefix: string, description: string | undefined): void {
  if (description === undefined || Token.isUnresolved(description)) return;
  problems.check(
    description.length <= EVENTBRIDGE.ruleDescriptionLength.max,
    `${idPrefix}.RuleDescription`,
    `the rule description is ${description.length} characters long, EventBridge allows ${EVENTBRIDGE.ruleDescriptionLength.max}`,
    'shorten ruleDescription',
  );
}

/**
 * Checks a CloudWatch namespace the library writes metrics to (embedded metric format, PutMetricData) and alarms on:
 * 1 to 255 ASCII characters without control characters, not starting with `AWS/` (reserved for AWS services, where
 * PutMetricData fails) nor with a colon (the alarm's namespace pattern is `[^:].*`, so no alarm could watch it).
 * `what` names the prop in messages.
 */
export function checkMetricNamespace(problems: Problems, idPrefix: string, what: string, namespace: string | undefined): void {
  if (namespace === undefined || Token.isUnresolved(namespace)) return;
  const { namespaceLength, namespaceCharacters, reservedNamespacePrefix, alarmNamespacePattern } = CLOUDWATCH;
  const lengthOk = problems.check(
    namespace.length >= namespaceLength.min && namespace.length <= namespaceLength.max,
    `${idPrefix}.MetricsNamespace`,
    `${what} is ${namespace.length} characters long`,
    `use ${namespaceLength.min} to ${namespaceLength.max} characters (the CloudWatch limit)`,
  );
  problems.check(
    !lengthOk || namespaceCharacters.test(namespace),
    `${idPrefix}.MetricsNamespace`,
    `${what} ${JSON.stringify(namespace)} holds characters CloudWatch does not accept (control or non-ASCII characters)`,
    'use printable ASCII characters only, e.g. "MyCompany/CircuitBreaker"',
  );
  problems.check(
    !namespace.startsWith(reservedNamespacePrefix),
    `${idPrefix}.ReservedMetricsNamespace`,
    `${what} "${namespace}" starts with "${reservedNamespacePrefix}", which CloudWatch reserves for AWS services`,
    'use a namespace of your own, e.g. "MyCompany/CircuitBreaker"',
  );
  problems.check(
    namespace.length === 0 || alarmNamespacePattern.test(namespace),
    `${idPrefix}.MetricsNamespaceAlarmPattern`,
    `${what} "${namespace}" starts with a colon: metrics can be written there, but CloudWatch alarms refuse the namespace ` +
      '(pattern [^:].*), so the alarm on it cannot be created',
    'drop the leading colon',
  );
}
