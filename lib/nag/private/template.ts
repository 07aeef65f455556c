import { CfnResource, Stack, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ReferenceMarkingResolver } from './reference-resolver';
import { isPlainObject, JsonObject } from './values';

/** One resource as CloudFormation will see it: type and properties after token resolution and overrides. */
export interface TemplateResource {
  readonly node: CfnResource;
  readonly stack: Stack;
  readonly logicalId: string;
  readonly type: string;
  readonly properties: JsonObject;
  readonly dependsOn: readonly string[];
  /** False when the resource could not be rendered; its properties are then empty and rules skip it. */
  readonly rendered: boolean;
}

/** What a template value points to. */
export type Denoted =
  /** A resource of this app, through `Ref` or `Fn::GetAtt` (`attribute` is `Ref` for the former). */
  | { readonly kind: 'resource'; readonly resource: TemplateResource; readonly attribute: string }
  /** A plain string: an ARN, URL or name, of something defined outside this app. */
  | { readonly kind: 'literal'; readonly value: string }
  /** An import, parameter, condition or computed string: unknowable at synth. */
  | { readonly kind: 'unknown' };

const UNKNOWN: Denoted = { kind: 'unknown' };

/** The part of CfnResource that renders it as it appears in the template (used by the CDK's own synthesis). */
interface RenderableResource {
  _toCloudFormation(): { Resources?: Record<string, JsonObject> };
}

/**
 * The synthesized view of every resource of an app, built once per pack run. Relational rules look across it:
 * a queue's consumers, a function's role policies, the alarms on a metric, whether they sit in one stack or not.
 */
export class AppTemplate {
  /** The template of the app that `node` belongs to (shared by every rule during one pack run). */
  public static of(node: IConstruct): AppTemplate {
    const root = node.node.root;
    if (!activeRun) return new AppTemplate(root);
    if (activeRun.root !== root) {
      activeRun.root = root;
      activeRun.template = new AppTemplate(root);
    }
    return activeRun.template!;
  }

  public readonly resources: TemplateResource[] = [];
  private readonly resolver = new ReferenceMarkingResolver();
  private readonly byNode = new Map<CfnResource, TemplateResource>();
  private readonly byLogicalId = new Map<Stack, Map<string, TemplateResource>>();
  private readonly byType = new Map<string, TemplateResource[]>();
  private readonly memos = new Map<string, unknown>();

  private constructor(root: IConstruct) {
    for (const node of root.node.findAll()) {
      if (!CfnResource.isCfnResource(node)) continue;
      const resource = this.render(node);
      if (resource) this.add(resource);
    }
  }

  /** The rendered resource of an L1 node (undefined when it is not synthesized). */
  public get(node: CfnResource): TemplateResource | undefined {
    return this.byNode.get(node);
  }

  /** Every rendered resource of the given CloudFormation types, in construct-tree order. */
  public ofType(...types: string[]): TemplateResource[] {
    return types.flatMap((type) => this.byType.get(type) ?? []);
  }

  /** What `value`, a property of `from`, points to. */
  public denote(value: unknown, from: TemplateResource): Denoted {
    if (typeof value === 'string') return { kind: 'literal', value };
    if (!isPlainObject(value)) return UNKNOWN;
    if (typeof value.Ref === 'string') return this.named(value.Ref, 'Ref', from);
    const getAtt = value['Fn::GetAtt'];
    if (Array.isArray(getAtt) && typeof getAtt[0] === 'string' && typeof getAtt[1] === 'string') {
      return this.named(getAtt[0], getAtt[1], from);
    }
    if (typeof getAtt === 'string' && getAtt.includes('.')) {
      const dot = getAtt.indexOf('.');
      return this.named(getAtt.slice(0, dot), getAtt.slice(dot + 1), from);
    }
    return UNKNOWN;
  }

  /** The app resource `value` points to, if any. */
  public resourceAt(value: unknown, from: TemplateResource, ...types: string[]): TemplateResource | undefined {
    const denoted = this.denote(value, from);
    if (denoted.kind !== 'resource') return undefined;
    return types.length === 0 || types.includes(denoted.resource.type) ? denoted.resource : undefined;
  }

  /**
   * The app resource of one of `types` that `value` points to, or that an ARN assembled with `Fn::Join` is built
   * around (e.g. `arn:...:access-point/${AccessPoint}`): exactly one part of the join must name such a resource.
   */
  public resourceWithin(value: unknown, from: TemplateResource, ...types: string[]): TemplateResource | undefined {
    const direct = this.resourceAt(value, from, ...types);
    const join = isPlainObject(value) ? value['Fn::Join'] : undefined;
    if (direct || !Array.isArray(join) || !Array.isArray(join[1])) return direct;
    const named = (join[1] as unknown[]).map((part) => this.resourceAt(part, from, ...types)).filter((r) => r !== undefined);
    return named.length === 1 ? named[0] : undefined;
  }

  /**
   * The resources `resource` is created after: its `DependsOn` (same stack), and the resources under every
   * construct that it or one of its ancestors depends on (`node.addDependency`), which synthesis turns into
   * `DependsOn` — so the answer is the same before and after `app.synth()`.
   */
  public directDependencies(resource: TemplateResource): TemplateResource[] {
    const ids = resource.dependsOn.map((id) => this.byLogicalId.get(resource.stack)?.get(id));
    const declared = resource.node.node.scopes
      .flatMap((scope) => scope.node.dependencies)
      .flatMap((target) => target.node.findAll())
      .map((construct) => (CfnResource.isCfnResource(construct) ? this.byNode.get(construct) : undefined));
    return [...new Set([...ids, ...declared])].filter((r): r is TemplateResource => r !== undefined && r !== resource);
  }

  /** A derived index, computed once per template (e.g. every queue's consumers). */
  public memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  private named(key: string, attribute: string, from: TemplateResource): Denoted {
    const target = this.resolver.targetOf(key);
    const resource = target ? this.byNode.get(target) : this.byLogicalId.get(from.stack)?.get(key);
    return resource ? { kind: 'resource', resource, attribute } : UNKNOWN;
  }

  private render(node: CfnResource): TemplateResource | undefined {
    const stack = Stack.of(node);
    try {
      const rendered = (node as unknown as RenderableResource)._toCloudFormation();
      const resolved = Tokenization.resolve(rendered, { scope: node, resolver: this.resolver }) as typeof rendered;
      const [entry] = Object.entries(resolved?.Resources ?? {});
      if (!entry) return undefined;
      const [logicalId, definition] = entry;
      return {
        node,
        stack,
        logicalId,
        type: typeof definition.Type === 'string' ? definition.Type : node.cfnResourceType,
        properties: isPlainObject(definition.Properties) ? definition.Properties : {},
        dependsOn: ([] as unknown[]).concat(definition.DependsOn ?? []).filter((d): d is string => typeof d === 'string'),
        rendered: true,
      };
    } catch {
      // Synthesis would fail on this resource too; the rules skip it rather than report on a guess.
      return { node, stack, logicalId: node.node.path, type: node.cfnResourceType, properties: {}, dependsOn: [], rendered: false };
    }
  }

  private add(resource: TemplateResource): void {
    this.resources.push(resource);
    this.byNode.set(resource.node, resource);
    if (!this.byLogicalId.has(resource.stack)) this.byLogicalId.set(resource.stack, new Map());
    this.byLogicalId.get(resource.stack)!.set(resource.logicalId, resource);
    if (!this.byType.has(resource.type)) this.byType.set(resource.type, []);
    this.byType.get(resource.type)!.push(resource);
  }
}

let activeRun: { root?: IConstruct; template?: AppTemplate } | undefined;

/**
 * Runs `fn` (one pack run) with one shared template per app, so the app is rendered once per run rather than once
 * per rule and resource, and a later run sees the tree as it is then.
 */
export function withSharedTemplate<T>(fn: () => T): T {
  const previous = activeRun;
  activeRun = {};
  try {
    return fn();
  } finally {
    activeRun = previous;
  }
}
