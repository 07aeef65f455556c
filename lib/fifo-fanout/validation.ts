import { Token } from 'aws-cdk-lib';
import * as sns from 'aws-cdk-lib/aws-sns';
import { IConstruct } from 'constructs';
import { check } from '../core/validation';

/** Default quota of subscriptions on one SNS FIFO topic. */
export const MAX_FIFO_TOPIC_SUBSCRIPTIONS = 100;
/** SNS filter policies may have at most five keys and 150 value combinations. */
export const MAX_FILTER_POLICY_KEYS = 5;
export const MAX_FILTER_POLICY_COMBINATIONS = 150;
const MAX_TOPIC_NAME = 256;

export function validateTopicName(scope: IConstruct, topicName: string | undefined): void {
  if (topicName === undefined || Token.isUnresolved(topicName)) return;
  check(
    topicName.endsWith('.fifo'),
    scope,
    `FIFO topic name "${topicName}" does not end in .fifo`,
    `rename it to "${topicName}.fifo"`,
  );
  check(
    /^[A-Za-z0-9_-]+\.fifo$/.test(topicName) && topicName.length <= MAX_TOPIC_NAME,
    scope,
    `topic name "${topicName}" is not valid`,
    'use up to 256 characters: letters, digits, hyphens and underscores, ending in .fifo',
  );
}

/**
 * Checks the documented SNS limits a filter policy can break at deploy time: at most 5 keys and at most 150
 * combinations (the product of the number of values of each key).
 */
export function validateFilterPolicy(
  scope: IConstruct,
  subscriberId: string,
  policy: { [key: string]: sns.SubscriptionFilter } | undefined,
): void {
  if (!policy) return;
  const keys = Object.keys(policy);
  checkKeyCount(scope, `subscriber ${subscriberId}: the filter policy`, keys);
  const combinations = keys.reduce((product, key) => product * Math.max(1, policy[key].conditions.length), 1);
  check(
    combinations <= MAX_FILTER_POLICY_COMBINATIONS,
    scope,
    `subscriber ${subscriberId}: the filter policy has ${combinations} value combinations, SNS allows ${MAX_FILTER_POLICY_COMBINATIONS}`,
    'use fewer values per key (prefix or anything-but matching often replaces long allow-lists)',
  );
}

export function validateBodyFilterPolicy(
  scope: IConstruct,
  subscriberId: string,
  policy: { [key: string]: sns.FilterOrPolicy } | undefined,
): void {
  if (!policy) return;
  checkKeyCount(scope, `subscriber ${subscriberId}: the message body filter policy`, Object.keys(policy));
}

function checkKeyCount(scope: IConstruct, what: string, keys: string[]): void {
  check(
    keys.length <= MAX_FILTER_POLICY_KEYS,
    scope,
    `${what} has ${keys.length} keys (${keys.join(', ')}), SNS allows ${MAX_FILTER_POLICY_KEYS}`,
    'filter on fewer keys, or move the filter into the consumer',
  );
}
