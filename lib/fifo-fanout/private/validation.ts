import * as sns from 'aws-cdk-lib/aws-sns';
import { SNS as SNS_LIMITS } from '../../core/private/limits';
import { Problems } from '../../core/private/validation';

/** Default quota of subscriptions on one SNS FIFO topic. */
export const MAX_FIFO_TOPIC_SUBSCRIPTIONS = SNS_LIMITS.fifoSubscriptionsDefaultQuota.max;
/** SNS filter policies may have at most five keys and 150 value combinations. */
export const MAX_FILTER_POLICY_KEYS = SNS_LIMITS.filterPolicyKeys.max;
export const MAX_FILTER_POLICY_COMBINATIONS = SNS_LIMITS.filterPolicyCombinations.max;
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
