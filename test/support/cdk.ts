import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/** A fresh, environment-agnostic stack. */
export function newStack(id = 'Test'): Stack {
  return new Stack(new App(), id);
}

export function template(stack: Stack): Template {
  return Template.fromStack(stack);
}

/** Inline code for unit tests that do not care what the function does. */
export const INLINE_CODE = lambda.Code.fromInline('exports.handler = async () => ({ batchItemFailures: [] });');

/** The single resource of a type, failing the test when there is not exactly one. */
export function onlyResource(t: Template, type: string, props: object = {}): { Properties: any; [k: string]: any } {
  const found = Object.values(t.findResources(type, props ? { Properties: props } : undefined));
  expect(found).toHaveLength(1);
  return found[0] as any;
}

/** A queue defined in the app, as a user would bring one in: with a dead-letter queue of its own kind. */
export function existingQueue(
  scope: Construct,
  id: string,
  options: { fifo?: boolean; visibilityTimeout?: Duration; maxReceiveCount?: number; deadLetterFifo?: boolean } = {},
): sqs.Queue {
  const fifo = options.fifo ? true : undefined;
  const deadLetterFifo = (options.deadLetterFifo ?? options.fifo) ? true : undefined;
  return new sqs.Queue(scope, id, {
    fifo,
    visibilityTimeout: options.visibilityTimeout,
    deadLetterQueue: { queue: new sqs.Queue(scope, `${id}Dlq`, { fifo: deadLetterFifo }), maxReceiveCount: options.maxReceiveCount ?? 3 },
  });
}
