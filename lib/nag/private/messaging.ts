import { AppTemplate, TemplateResource } from './template';
import { booleanValue, isPlainObject, listValue, objectValue, pathValue, tryOr } from './values';

export const QUEUE = 'AWS::SQS::Queue';
export const TOPIC = 'AWS::SNS::Topic';
export const SUBSCRIPTION = 'AWS::SNS::Subscription';

/** SQS's default message retention (4 days), seconds. */
export const DEFAULT_RETENTION_SECONDS = 345_600;

export function isFifoQueue(queue: TemplateResource): boolean {
  return booleanValue(queue.properties.FifoQueue, 'FifoQueue');
}

export function isFifoTopic(topic: TemplateResource): boolean {
  return booleanValue(topic.properties.FifoTopic, 'FifoTopic');
}

/** A queue's or subscription's redrive policy (object or JSON string), undefined when it has none. */
export function redrivePolicyOf(resource: TemplateResource) {
  return objectValue(resource.properties.RedrivePolicy, 'RedrivePolicy');
}

/** A resource that sends what it cannot deliver or process to a queue, and the property that says so. */
export interface DeadLetterUse {
  readonly user: TemplateResource;
  readonly via: string;
}

/** Where each resource type names its dead-letter (or on-failure) target. */
const DEAD_LETTER_PATHS: Record<string, (properties: Record<string, unknown>) => { via: string; target: unknown }[]> = {
  'AWS::SQS::Queue': (p) => [{ via: 'RedrivePolicy', target: pathValue(p, ['RedrivePolicy', 'deadLetterTargetArn'], 'redrive') }],
  'AWS::SNS::Subscription': (p) => [
    { via: 'RedrivePolicy', target: pathValue(p, ['RedrivePolicy', 'deadLetterTargetArn'], 'redrive') },
  ],
  'AWS::Events::Rule': (p) =>
    listValue(p.Targets, 'targets').map((t) => ({ via: 'DeadLetterConfig', target: pathValue(t, ['DeadLetterConfig', 'Arn'], 'dlq') })),
  'AWS::Lambda::EventSourceMapping': (p) => [
    { via: 'DestinationConfig', target: pathValue(p, ['DestinationConfig', 'OnFailure', 'Destination'], 'on-failure') },
  ],
  'AWS::Lambda::EventInvokeConfig': (p) => [
    { via: 'DestinationConfig', target: pathValue(p, ['DestinationConfig', 'OnFailure', 'Destination'], 'on-failure') },
  ],
  'AWS::Lambda::Function': (p) => [{ via: 'DeadLetterConfig', target: pathValue(p, ['DeadLetterConfig', 'TargetArn'], 'dlq') }],
  'AWS::Pipes::Pipe': (p) =>
    Object.values(objectValue(p.SourceParameters, 'source parameters') ?? {}).map((source) => ({
      via: 'DeadLetterConfig',
      target: isPlainObject(source) ? pathValue(source, ['DeadLetterConfig', 'Arn'], 'dlq') : undefined,
    })),
  'AWS::Scheduler::Schedule': (p) => [{ via: 'DeadLetterConfig', target: pathValue(p, ['Target', 'DeadLetterConfig', 'Arn'], 'dlq') }],
};

/** For every queue of the app that receives failures of something, what sends them there. */
export function deadLetterUses(template: AppTemplate): Map<TemplateResource, DeadLetterUse[]> {
  return template.memo('sqs:dead-letter-uses', () => {
    const uses = new Map<TemplateResource, DeadLetterUse[]>();
    for (const [type, pathsOf] of Object.entries(DEAD_LETTER_PATHS)) {
      for (const user of template.ofType(type)) {
        for (const { via, target } of tryOr(() => pathsOf(user.properties), [])) {
          const queue = target === undefined ? undefined : template.resourceAt(target, user, QUEUE);
          if (queue) uses.set(queue, [...(uses.get(queue) ?? []), { user, via }]);
        }
      }
    }
    return uses;
  });
}

/** The queue a queue's redrive policy sends to (undefined when none, or outside the app). */
export function deadLetterQueueOf(template: AppTemplate, resource: TemplateResource): TemplateResource | undefined {
  const target = redrivePolicyOf(resource)?.deadLetterTargetArn;
  return target === undefined ? undefined : template.resourceAt(target, resource, QUEUE);
}

/** Event source mappings that read each queue of the app. */
export function eventSourceMappingsOf(template: AppTemplate, queue: TemplateResource): TemplateResource[] {
  const byQueue = template.memo('sqs:event-source-mappings', () => {
    const map = new Map<TemplateResource, TemplateResource[]>();
    for (const esm of template.ofType('AWS::Lambda::EventSourceMapping')) {
      const source = template.resourceAt(esm.properties.EventSourceArn, esm, QUEUE);
      if (source) map.set(source, [...(map.get(source) ?? []), esm]);
    }
    return map;
  });
  return byQueue.get(queue) ?? [];
}
