import { Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Problems } from '../../core/private/validation';

/** Default quota of subscriptions on one SNS FIFO topic. */
export const MAX_FIFO_TOPIC_SUBSCRIPTIONS = 100;
/** SNS filter policies may have at most five keys and 150 value combinations. */
export const MAX_FILTER_POLICY_KEYS = 5;
export const MAX_FILTER_POLICY_COMBINATIONS = 150;
const MAX_TOPIC_NAME = 256;

export function validateTopicName(problems: Problems, topicName: string | undefined): void {
  if (topicName === undefined || Token.isUnresolved(topicName)) return;
  const suffixed = problems.check(
    topicName.endsWith('.fifo'),
    'FifoFanout.TopicNameFifoSuffix',
    `FIFO topic name "${topicName}" does not end in .fifo`,
    `rename it to "${topicName}.fifo"`,
  );
  // A name without the suffix is already reported; its other characters are checked once it has one.
  if (!suffixed) return;
  problems.check(
    /^[A-Za-z0-9_-]+\.fifo$/.test(topicName) && topicName.length <= MAX_TOPIC_NAME,
    'FifoFanout.TopicName',
    `topic name "${topicName}" is not valid`,
    'use up to 256 characters: letters, digits, hyphens and underscores, ending in .fifo',
  );
}

/**
 * Checks the documented SNS limits a filter policy can break at deploy time: at most 5 keys and at most 150
 * combinations (the product of the number of values of each key).
 */
export function validateFilterPolicy(
  problems: Problems,
  subscriberId: string,
  policy: { [key: string]: sns.SubscriptionFilter } | undefined,
): void {
  if (!policy) return;
  const keys = Object.keys(policy);
  checkKeyCount(problems, `subscriber ${subscriberId}: the filter policy`, keys);
  const combinations = keys.reduce((product, key) => product * Math.max(1, policy[key].conditions.length), 1);
  problems.check(
    combinations <= MAX_FILTER_POLICY_COMBINATIONS,
    'FifoSubscriber.FilterPolicyCombinations',
    `subscriber ${subscriberId}: the filter policy has ${combinations} value combinations, SNS allows ${MAX_FILTER_POLICY_COMBINATIONS}`,
    'use fewer values per key (prefix or anything-but matching often replaces long allow-lists)',
  );
}

export function validateBodyFilterPolicy(
  problems: Problems,
  subscriberId: string,
  policy: { [key: string]: sns.FilterOrPolicy } | undefined,
): void {
  if (!policy) return;
  checkKeyCount(problems, `subscriber ${subscriberId}: the message body filter policy`, Object.keys(policy));
}

function checkKeyCount(problems: Problems, what: string, keys: string[]): void {
  problems.check(
    keys.length <= MAX_FILTER_POLICY_KEYS,
    'FifoSubscriber.FilterPolicyKeys',
    `${what} has ${keys.length} keys (${keys.join(', ')}), SNS allows ${MAX_FILTER_POLICY_KEYS}`,
    'filter on fewer keys, or move the filter into the consumer',
  );
}
