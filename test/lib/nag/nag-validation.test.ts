import { App, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ScopedNagValidation } from '../../../lib/nag';

/** The error `enforce` throws, or undefined when it does not throw. */
function enforceError(app: App, ...packs: AwsSolutionsChecks[]): string | undefined {
  try {
    ScopedNagValidation.enforce(app, ...packs);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

test('enforce counts findings (one per rule and resource), not rule ids', () => {
  const app = new App();
  const s = new Stack(app, 'S');
  // Three bare queues, each with two findings: AwsSolutions-SQS3 (no dead-letter queue) and SQS4 (TLS not enforced).
  for (const id of ['A', 'B', 'C']) new sqs.Queue(s, id);
  const message = enforceError(app, new AwsSolutionsChecks())!;
  const lines = message.split('\n').slice(1);
  expect(lines).toHaveLength(6);
  expect(new Set(lines.map((l) => l.trim().split('  ')[0]))).toEqual(new Set(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  expect(message.split('\n')[0]).toBe('cdk-nag: 6 unacknowledged finding(s):');
});

test('enforce counts the findings of every pack it runs', () => {
  const app = new App();
  new sqs.Queue(new Stack(app, 'S'), 'A');
  expect(enforceError(app, new AwsSolutionsChecks(), new AwsSolutionsChecks())!.split('\n')[0]).toBe('cdk-nag: 4 unacknowledged finding(s):');
});

test('enforce does not throw when nothing is found', () => {
  const app = new App();
  const s = new Stack(app, 'S');
  const dlq = new sqs.Queue(s, 'Dlq', { enforceSSL: true });
  new sqs.Queue(s, 'Q', { enforceSSL: true, deadLetterQueue: { queue: dlq, maxReceiveCount: 3 } });
  expect(enforceError(app, new AwsSolutionsChecks())).toBeUndefined();
});
