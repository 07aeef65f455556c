/**
 * A change-capture outbox as the TransactionalOutbox synthesizes it, for tests that run it on real stream records:
 * its pipe filter and target parameters and its enrichment's environment, read from the template, and the pre-bundled
 * capture enrichment the construct deploys.
 */
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { CapturedItemDelivery } from '../../../lambda/runtime/outbox/captured-item';
import { OutboxTarget, TransactionalOutbox } from '../../../lib';
import { newStack } from '../../support/cdk';

const BUNDLE = join(__dirname, '..', '..', '..', 'assets', 'outbox-capture-enrichment', 'index.js');

export interface SynthesizedCapture {
  readonly filters: Record<string, unknown>[];
  readonly target: any;
  readonly environment: Record<string, string>;
}

/** The pipe and the enrichment's environment of a capture outbox of `Order` items, read from the synthesized template. */
export function synthesizedCapture(options: { source: string; attributes: string[]; target: OutboxTarget; batchSize?: number }): SynthesizedCapture {
  const stack = newStack();
  new TransactionalOutbox(stack, 'Outbox', {
    eventSource: options.source,
    target: options.target,
    batchSize: options.batchSize,
    capture: { itemTypes: ['Order'], attributes: options.attributes },
  });
  const template = Template.fromStack(stack);
  const [pipe] = Object.values(template.findResources('AWS::Pipes::Pipe')) as any[];
  const [fn] = Object.values(template.findResources('AWS::Lambda::Function', {
    Properties: { Description: 'Turns captured item changes from the DynamoDB stream into the events the outbox publishes' },
  })) as any[];
  return {
    filters: pipe.Properties.SourceParameters.FilterCriteria.Filters.map((f: { Pattern: string }) => JSON.parse(f.Pattern)),
    target: pipe.Properties.TargetParameters,
    environment: fn.Properties.Environment.Variables as Record<string, string>,
  };
}

/**
 * A set-aside queue URL for tests whose batches hold only publishable changes: nothing listens on it, so a test that
 * did set a change aside would fail loudly instead of passing.
 */
const UNUSED_MALFORMED_QUEUE_URL = 'http://127.0.0.1:9/000000000000/unused-malformed-images';

/**
 * The deployed capture enrichment, loaded with the environment the construct gives it (the set-aside queue URL, a
 * token in the template, replaced by `malformedQueueUrl`).
 */
export function captureEnrichmentHandler(
  environment: Record<string, string>, malformedQueueUrl = UNUSED_MALFORMED_QUEUE_URL,
): (records: unknown[]) => Promise<CapturedItemDelivery[]> {
  Object.assign(process.env, environment, { OUTBOX_MALFORMED_QUEUE_URL: malformedQueueUrl });
  let handler: (records: unknown[]) => Promise<CapturedItemDelivery[]> = async () => [];
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = require(BUNDLE).handler;
  });
  return handler;
}
