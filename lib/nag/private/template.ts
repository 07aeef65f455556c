import { CfnResource, Stack, Tokenization } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { ReferenceMarkingResolver } from './reference-resolver';
import { isPlainObject, JsonObject, tryOr } from './values';

/**
 * One resource as CloudFormation will see it: type and properties after token resolution and overrides. Its node,
 * stack and type are known at once; the rest is rendered when first read.
 */
export interface TemplateResource {
  readonly node: CfnResource;
  readonly stack: Stack;
  readonly logicalId: string;
  /** The L1's CloudFormation type (an override of `Type` is not followed). */
  readonly type: string;
  readonly properties: JsonObject;
  /** False when the resource could not be rendered (or renders nothing); its properties are then empty and rules skip it. */
  readonly rendered: boolean;
}

/** What rendering a resource gives. */
interface Rendering {
  readonly properties: JsonObject;
  readonly rendered: boolean;
}

/**
 * A resource of the app, rendered (token resolution, the costly part) only when its rendered parts are first read:
 * following a reference to a role, say, needs the role's identity, not its rendering.
 */
class LazyTemplateResource implements TemplateResource {
  public readonly stack: Stack;
  public readonly type: string;
  private rendering?: Rendering;
  private logicalIdValue?: string;

  constructor(public readonly node: CfnResource, private readonly resolver: ReferenceMarkingResolver) {
    this.stack = Stack.of(node);
    this.type = node.cfnResourceType;
  }

  public get logicalId(): string {
    if (this.logicalIdValue === undefined) {
      const resolved = tryOr(() => this.stack.resolve(this.node.logicalId) as unknown, undefined);
      this.logicalIdValue = typeof resolved === 'string' ? resolved : this.node.node.path;
    }
    return this.logicalIdValue;
  }

  public get properties(): JsonObject {
    return this.render().properties;
  }

  public get rendered(): boolean {
    return this.render().rendered;
  }

  private render(): Rendering {
    if (!this.rendering) this.rendering = this.renderNow();
    return this.rendering;
  }

  private renderNow(): Rendering {
    const unrendered: Rendering = { properties: {}, rendered: false };
    try {
      const l1 = this.node as unknown as RenderableResource;
      // Nothing rendered: the resource is not synthesized.
      if (!l1.shouldSynthesize()) return unrendered;
      const properties = hasOverrides(this.node) ? this.renderDefinition(l1) : this.renderProperties(l1);
      return properties ? { properties, rendered: true } : unrendered;
    } catch {
      // Synthesis would fail on this resource too; the rules skip it rather than report on a guess.
      return unrendered;
    }
  }

  /**
   * The properties of a resource without overrides, rendered as `CfnResource._toCloudFormation()` renders them (its
   * properties resolved, then turned into template form by the L1's `renderProperties`), without the rest of the
   * definition (`DependsOn`, metadata, policies) that rules do not read: the costly part of a render.
   */
  private renderProperties(l1: RenderableResource): JsonObject {
    const resolved = Tokenization.resolve(l1.cfnProperties, { scope: this.node, resolver: this.resolver }) as unknown;
    const input = isPlainObject(resolved) && Object.keys(resolved).length > 0 ? resolved : {};
    const rendered = l1.renderProperties(input) as unknown;
    return isPlainObject(rendered) && Object.values(rendered).some((v) => v !== undefined) ? rendered : {};
  }

  /** The properties of a resource with overrides: its whole definition rendered, overrides merged in. */
  private renderDefinition(l1: RenderableResource): JsonObject | undefined {
    // The definition alone: its key, the logical id, is not needed to read it and is costly to compute.
    const [definition] = Object.values(l1._toCloudFormation().Resources ?? {});
    if (definition === undefined) return undefined;
    // Its dependencies appear in `DependsOn` as marks, not logical ids (see ReferenceMarkingResolver).
    for (const dependency of this.node.obtainDependencies()) {
      if (CfnResource.isCfnResource(dependency)) this.resolver.markLogicalIdOf(dependency);
    }
    const resolved = Tokenization.resolve(definition, { scope: this.node, resolver: this.resolver }) as unknown;
    if (!isPlainObject(resolved)) return undefined;
    return isPlainObject(resolved.Properties) ? resolved.Properties : {};
  }
}

/** The raw overrides of an L1 (`addOverride`, `addPropertyOverride`...), as aws-cdk-lib keeps them. */
function rawOverridesOf(node: CfnResource): unknown {
  return (node as unknown as { rawOverrides?: unknown }).rawOverrides;
}

/** Whether an L1 may have overrides (true unless its overrides are plainly empty), which only a full render applies. */
function hasOverrides(node: CfnResource): boolean {
  const overrides = rawOverridesOf(node);
  return !isPlainObjectLike(overrides) || Object.keys(overrides).length > 0;
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

/** CloudFormation logical ids are alphanumeric. */
const LOGICAL_ID = /^[A-Za-z0-9]+$/;

/** What {@link AppTemplate.peek} answers when only rendering can tell. */
export const UNPEEKABLE = Symbol('unpeekable');

/** An object, including one made with `Object.create(null)` (as aws-cdk-lib keeps overrides). */
function isPlainObjectLike(value: unknown): value is object {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * The parts of CfnResource that render it as it appears in the template, which the CDK's own synthesis uses
 * (`_toCloudFormation`) and every generated L1 implements (`cfnProperties`, `renderProperties`).
 */
interface RenderableResource {
  readonly cfnProperties: unknown;
  _toCloudFormation(): { Resources?: Record<string, unknown> };
  renderProperties(props: JsonObject): unknown;
  shouldSynthesize(): boolean;
}

/**
 * The synthesized view of the resources of an app, shared by every rule during one pack run. Relational rules look
 * across it: a queue's consumers, a function's role policies, the alarms on a metric, whether they sit in one stack
 * or not.
 *
 * Resources are rendered (token resolution, the costly part) on first use and once: a rule renders the resources of
 * the types it checks, an index the types it reads. The rest of an app (VPCs, load balancers, API deployments,
 * custom resources, whatever no rule reads) is never rendered, so a pack run costs in proportion to the serverless
 * resources of an app, not to its size.
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

  private readonly resolver = new ReferenceMarkingResolver();
  /** Every L1 resource of the app, and by CloudFormation type, in construct-tree order (not rendered yet). */
  private readonly nodes = new Set<CfnResource>();
  private readonly nodesByType = new Map<string, CfnResource[]>();
  /** The resources handed out so far (each renders itself when first read). */
  private readonly resources = new Map<CfnResource, TemplateResource>();
  private readonly renderedByType = new Map<string, TemplateResource[]>();
  /** Logical id → node, per stack: built only when a template names a resource of that stack by a literal logical id. */
  private readonly byLogicalId = new Map<Stack, Map<string, CfnResource>>();
  private readonly memos = new Map<string, unknown>();

  private constructor(root: IConstruct) {
    for (const node of root.node.findAll()) {
      if (!CfnResource.isCfnResource(node)) continue;
      const nodes = this.nodesByType.get(node.cfnResourceType);
      if (nodes) nodes.push(node);
      else this.nodesByType.set(node.cfnResourceType, [node]);
      this.nodes.add(node);
    }
  }

  /** The resource of an L1 node of this app (undefined when the node is not in the app). */
  public get(node: CfnResource): TemplateResource | undefined {
    if (!this.nodes.has(node)) return undefined;
    let resource = this.resources.get(node);
    if (!resource) {
      resource = new LazyTemplateResource(node, this.resolver);
      this.resources.set(node, resource);
    }
    return resource;
  }

  /**
   * One property of an L1 resource, resolved, as the L1 holds it (camelCase, before CloudFormation rendering), for
   * deciding cheaply whether a resource can matter before rendering it. {@link UNPEEKABLE} when the resource has
   * overrides (`addOverride`, `addPropertyOverride`), which only rendering applies, or the value does not resolve.
   */
  public peek(node: CfnResource, property: string): unknown {
    if (hasOverrides(node)) return UNPEEKABLE;
    const value = (node as unknown as Record<string, unknown>)[property];
    return tryOr(() => Tokenization.resolve(value, { scope: node, resolver: this.resolver }), UNPEEKABLE);
  }

  /** Whether an L1 resource may have a value for `property` (false only when peeking shows none, or an empty list). */
  public mayHave(node: CfnResource, property: string): boolean {
    const value = this.peek(node, property);
    return value === UNPEEKABLE || !(value === undefined || value === null || (Array.isArray(value) && value.length === 0));
  }

  /** Every L1 resource of the given CloudFormation types, not rendered. */
  public nodesOfType(...types: string[]): CfnResource[] {
    return types.flatMap((type) => this.nodesByType.get(type) ?? []);
  }

  /**
   * Every rendered resource of the given CloudFormation types, in construct-tree order. (A resource whose `Type`
   * was overridden to another type is found under neither.)
   */
  public ofType(...types: string[]): TemplateResource[] {
    return types.flatMap((type) => {
      let resources = this.renderedByType.get(type);
      if (!resources) {
        resources = (this.nodesByType.get(type) ?? []).map((node) => this.get(node)).filter((r): r is TemplateResource => r?.type === type);
        this.renderedByType.set(type, resources);
      }
      return resources;
    });
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
   * `DependsOn` — so the answer is the same before and after `app.synth()`. Read from the construct tree, so that
   * following dependencies renders nothing.
   */
  public directDependencies(resource: TemplateResource): TemplateResource[] {
    const declared = resource.node.node.scopes
      .flatMap((scope) => scope.node.dependencies)
      .flatMap((target) => target.node.findAll())
      .map((construct) => (CfnResource.isCfnResource(construct) ? this.get(construct) : undefined));
    return [...new Set([...this.dependsOn(resource), ...declared])].filter((r): r is TemplateResource => r !== undefined && r !== resource);
  }

  /** A derived index, computed once per template (e.g. every queue's consumers). */
  public memo<T>(key: string, compute: () => T): T {
    if (!this.memos.has(key)) this.memos.set(key, compute());
    return this.memos.get(key) as T;
  }

  private named(key: string, attribute: string, from: TemplateResource): Denoted {
    const resource = this.resourceNamed(key, from.stack);
    return resource ? { kind: 'resource', resource, attribute } : UNKNOWN;
  }

  /** The resource a mark names, or a literal logical id names in `stack` (a pseudo parameter such as `AWS::Region` names none). */
  private resourceNamed(key: string, stack: Stack): TemplateResource | undefined {
    const target = this.resolver.targetOf(key);
    if (target) return this.get(target);
    return LOGICAL_ID.test(key) ? this.withLogicalId(stack, key) : undefined;
  }

  /**
   * What synthesis writes in a resource's `DependsOn`: the resources it was made to depend on
   * (`CfnResource.addDependency`, same stack), or the logical ids an override of `DependsOn` lists instead.
   */
  private dependsOn(resource: TemplateResource): (TemplateResource | undefined)[] {
    const overrides = rawOverridesOf(resource.node);
    const overridden = isPlainObjectLike(overrides) ? (overrides as JsonObject).DependsOn : undefined;
    if (overridden === undefined) {
      return resource.node.obtainDependencies().map((target) => (CfnResource.isCfnResource(target) ? this.get(target) : undefined));
    }
    const ids = tryOr(() => resource.stack.resolve(overridden) as unknown, undefined);
    return ([] as unknown[]).concat(ids ?? []).map((id) => (typeof id === 'string' ? this.resourceNamed(id, resource.stack) : undefined));
  }

  /**
   * The resource a literal logical id names in `stack`: references the CDK made are marks, so only values written
   * as text (overrides, escape hatches) name resources by logical id. Each stack's ids are computed once, when one is
   * first looked up there.
   */
  private withLogicalId(stack: Stack, logicalId: string): TemplateResource | undefined {
    let ids = this.byLogicalId.get(stack);
    if (!ids) {
      ids = new Map();
      for (const node of this.nodes) {
        if (Stack.of(node) !== stack) continue;
        const id = tryOr(() => stack.resolve(node.logicalId) as unknown, undefined);
        if (typeof id === 'string') ids.set(id, node);
      }
      this.byLogicalId.set(stack, ids);
    }
    const node = ids.get(logicalId);
    return node ? this.get(node) : undefined;
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
