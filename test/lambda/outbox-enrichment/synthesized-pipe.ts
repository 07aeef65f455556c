/**
 * The outbox pipe as the TransactionalOutbox synthesizes it, for tests that run it on real stream records: its filter
 * and target settings read from the template, and the pre-bundled enrichment function the construct deploys.
 */
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { OutboxDelivery } from '../../../lambda/runtime/outbox/outbox-row';
import { OutboxTarget, TransactionalOutbox } from '../../../lib';
import { newStack } from '../../support/cdk';

const BUNDLE = join(__dirname, '..', '..', '..', 'assets', 'outbox-enrichment', 'index.js');

/** The pipe's filters and target parameters, read from the synthesized template. */
export function synthesizedPipe(target: OutboxTarget, eventSource: string): { filters: Record<string, unknown>[]; target: any } {
  const stack = newStack();
  new TransactionalOutbox(stack, 'Outbox', { eventSource, target });
  const [pipe] = Object.values(Template.fromStack(stack).findResources('AWS::Pipes::Pipe')) as any[];
  const filters = pipe.Properties.SourceParameters.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern));
  return { filters, target: pipe.Properties.TargetParameters };
}

/**
 * A set-aside queue URL for tests whose batches hold only well-formed images: nothing listens on it, so a test that
 * did set an image aside would fail loudly instead of passing.
 */
export const UNUSED_MALFORMED_QUEUE_URL = 'http://127.0.0.1:9/000000000000/unused-malformed-images';

/** The deployed enrichment handler, loaded with the environment the construct gives it. */
export function enrichmentHandler(
  eventSource: string, malformedQueueUrl = UNUSED_MALFORMED_QUEUE_URL,
): (records: unknown[]) => Promise<OutboxDelivery[]> {
  Object.assign(process.env, { OUTBOX_EVENT_SOURCE: eventSource, OUTBOX_MALFORMED_QUEUE_URL: malformedQueueUrl });
  let handler: (records: unknown[]) => Promise<OutboxDelivery[]> = async () => [];
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(BUNDLE).handler;
  });
  return handler;
}
