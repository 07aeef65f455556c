import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** A rule on a pattern with `count` queue targets, each with `deadLetterQueue` when given. */
export function ruleWithQueueTargets(scope: Construct, id: string, count: number, deadLetterQueue?: sqs.IQueue): events.Rule {
  const rule = new events.Rule(scope, id, { eventPattern: { source: ['orders'] } });
  for (let i = 0; i < count; i++) rule.addTarget(new targets.SqsQueue(new sqs.Queue(scope, `${id}Q${i}`), { deadLetterQueue }));
  return rule;
}
