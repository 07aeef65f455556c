import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, CfnResource, NestedStack, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as cfninc from 'aws-cdk-lib/cloudformation-include';
import { AppTemplate, TemplateResource, withSharedTemplate } from '../../../../lib/nag/private/template';
import { EXAMPLE_STACKS } from '../../../support/examples';
import { fn } from '../support/fixtures';

/** The rendered resource of `node` and what its property `key` points to. */
function pointsTo(node: CfnResource, key: string): TemplateResource | undefined {
  return withSharedTemplate(() => {
    const template = AppTemplate.of(node);
    const resource = template.get(node)!;
    return template.resourceAt(resource.properties[key], resource);
  });
}

const l1 = (construct: { node: { defaultChild?: unknown } }) => construct.node.defaultChild as CfnResource;

describe('references resolve to the construct they name, not to a logical id', () => {
  /** Both stacks hold a queue at the same path, so both queues have the same logical id. */
  function twins() {
    const app = new App();
    const producer = new Stack(app, 'Producer');
    const consumer = new Stack(app, 'Consumer');
    const remote = new sqs.Queue(producer, 'Q');
    new sqs.Queue(consumer, 'Q');
    const mapping = new lambda.CfnEventSourceMapping(consumer, 'Mapping', { functionName: 'f', eventSourceArn: remote.queueArn });
    return { app, remote, mapping };
  }

  test('before synthesis: a cross-stack reference still renders as the producer logical id, which names a local twin', () => {
    const { remote, mapping } = twins();
    expect(pointsTo(mapping, 'EventSourceArn')?.node).toBe(l1(remote));
  });

  test('after synthesis: the reference is an Fn::ImportValue, still followed to the producer', () => {
    const { app, remote, mapping } = twins();
    app.synth();
    expect(pointsTo(mapping, 'EventSourceArn')?.node).toBe(l1(remote));
  });

  test('a nested stack reference to its parent is followed too', () => {
    const parent = new Stack(new App(), 'Parent');
    const queue = new sqs.Queue(parent, 'Q');
    const nested = new NestedStack(parent, 'Nested');
    const mapping = new lambda.CfnEventSourceMapping(nested, 'Mapping', { functionName: 'f', eventSourceArn: queue.queueArn });
    expect(pointsTo(mapping, 'EventSourceArn')?.node).toBe(l1(queue));
  });
});

test('an included CloudFormation template with plain Refs resolves by logical id within its stack', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nag-include-'));
  const file = join(dir, 'template.json');
  writeFileSync(file, JSON.stringify({
    Resources: {
      Work: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 30 } },
      Mapping: { Type: 'AWS::Lambda::EventSourceMapping', Properties: { FunctionName: 'f', EventSourceArn: { 'Fn::GetAtt': ['Work', 'Arn'] } } },
    },
  }));
  const stack = new Stack(new App(), 'Included');
  const included = new cfninc.CfnInclude(stack, 'Legacy', { templateFile: file });
  expect(pointsTo(included.getResource('Mapping'), 'EventSourceArn')?.node).toBe(included.getResource('Work'));
});

test('escape-hatch overrides are part of the rendered properties', () => {
  const stack = new Stack(new App(), 'S');
  const queue = new sqs.Queue(stack, 'Q');
  l1(queue).addPropertyOverride('VisibilityTimeout', 900);
  withSharedTemplate(() => expect(AppTemplate.of(l1(queue)).get(l1(queue))!.properties.VisibilityTimeout).toBe(900));
});

test('a resource that cannot be rendered is kept, marked unrendered, instead of failing the run', () => {
  const stack = new Stack(new App(), 'S');
  const broken = new sqs.CfnQueue(stack, 'Broken', { redrivePolicy: 'not an object' as unknown as object });
  const healthy = fn(stack, 'Fn');
  withSharedTemplate(() => {
    const template = AppTemplate.of(broken);
    expect(template.get(broken)!.rendered).toBe(false);
    expect(template.get(l1(healthy))!.rendered).toBe(true);
  });
});

test('one pack run renders the app once; the next run sees the tree as it is then', () => {
  const stack = new Stack(new App(), 'S');
  const queue = new sqs.Queue(stack, 'Q');
  withSharedTemplate(() => expect(AppTemplate.of(l1(queue))).toBe(AppTemplate.of(stack)));
  l1(queue).addPropertyOverride('DelaySeconds', 5);
  withSharedTemplate(() => expect(AppTemplate.of(l1(queue)).get(l1(queue))!.properties.DelaySeconds).toBe(5));
});

describe('dependencies are followed without rendering logical ids', () => {
  test('a DependsOn the CDK renders (addDependency) names the resource; the logical id is still what synthesis gives', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const first = new sqs.Queue(stack, 'First');
    const second = new sqs.Queue(stack, 'Second');
    l1(second).addDependency(l1(first));
    withSharedTemplate(() => {
      const template = AppTemplate.of(stack);
      const resource = template.get(l1(second))!;
      expect(template.directDependencies(resource).map((r) => r.node)).toEqual([l1(first)]);
      expect(resource.logicalId).toBe(stack.getLogicalId(l1(second)));
    });
    const synthesized = app.synth().getStackByName('S').template.Resources[stack.getLogicalId(l1(second))];
    expect(synthesized.DependsOn).toEqual([stack.getLogicalId(l1(first))]);
  });

  test('a DependsOn written as a literal logical id (an override) names the resource of that stack only', () => {
    const app = new App();
    const stack = new Stack(app, 'S');
    const other = new Stack(app, 'Other');
    const target = new sqs.Queue(stack, 'Target');
    new sqs.Queue(other, 'Target');
    const dependent = new sqs.Queue(stack, 'Dependent');
    l1(dependent).addOverride('DependsOn', [stack.getLogicalId(l1(target))]);
    withSharedTemplate(() => {
      const template = AppTemplate.of(stack);
      expect(template.directDependencies(template.get(l1(dependent))!).map((r) => r.node)).toEqual([l1(target)]);
    });
  });
});

/** `value` with every mark of a same-stack resource replaced by that resource's logical id, as synthesis writes it. */
function withLogicalIds(value: unknown, stack: Stack, template: AppTemplate, from: TemplateResource, written: string[]): unknown {
  if (Array.isArray(value)) return value.map((v) => withLogicalIds(v, stack, template, from, written));
  if (typeof value !== 'object' || value === null) return value;
  const denoted = template.denote(value, from);
  if (denoted.kind === 'resource' && Stack.of(denoted.resource.node) === stack) {
    const id = writtenLogicalId(stack, denoted.resource.node, written);
    return denoted.attribute === 'Ref' ? { Ref: id } : { 'Fn::GetAtt': [id, denoted.attribute] };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withLogicalIds(v, stack, template, from, written)]));
}

/**
 * The logical id synthesis wrote for `node`: its own, or, for an API Gateway deployment on aws-cdk-lib releases that
 * append a hash of the deployment's content to its logical id while synthesizing (2.278 does), the one written id
 * that extends it.
 */
function writtenLogicalId(stack: Stack, node: CfnResource, written: string[]): string {
  const id = stack.getLogicalId(node);
  if (written.includes(id)) return id;
  const extended = written.filter((w) => w.startsWith(id));
  return extended.length === 1 ? extended[0] : id;
}

test.each(Object.keys(EXAMPLE_STACKS))('every resource of the %s example renders the properties synthesis writes', (name) => {
  const stack = EXAMPLE_STACKS[name]();
  // Synthesis first: aspects (tags, for one) change resources when it runs.
  const synthesized = Template.fromStack(stack).toJSON().Resources as Record<string, { Properties?: unknown }>;
  const nodes = stack.node.findAll().filter(CfnResource.isCfnResource).filter((n) => Stack.of(n) === stack);
  expect(nodes.length).toBeGreaterThan(10);
  withSharedTemplate(() => {
    const template = AppTemplate.of(stack);
    for (const node of nodes) {
      const resource = template.get(node)!;
      const ids = Object.keys(synthesized);
      const rendered = JSON.parse(JSON.stringify(withLogicalIds(resource.properties, stack, template, resource, ids)));
      const written = synthesized[writtenLogicalId(stack, node, ids)]?.Properties ?? {};
      expect({ path: node.node.path, properties: rendered }).toEqual({ path: node.node.path, properties: written });
    }
  });
});
