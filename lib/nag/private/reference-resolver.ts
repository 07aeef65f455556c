import {
  CfnResource,
  DefaultTokenResolver,
  IFragmentConcatenator,
  IPostProcessor,
  IResolvable,
  IResolveContext,
  Reference,
  Tokenization,
} from 'aws-cdk-lib';

/**
 * Marks that replace a reference in a resolved template. Logical ids are alphanumeric, so a key with this prefix
 * never collides with one.
 */
const MARK_PREFIX = 'spc-ref:';

/**
 * Resolves tokens the way CloudFormation synthesis does, except that a reference to a resource (`Ref`,
 * `Fn::GetAtt`) becomes a mark naming the construct it points to, wherever that construct lives.
 *
 * Why: before `app.synth()` a cross-stack reference still resolves to the producer's `{ Ref: LogicalId }`, which
 * read in the consumer's stack names the wrong resource (or none); after synthesis it is an `Fn::ImportValue`,
 * which names no resource at all. The mark keeps the identity in both cases, and for nested stacks too. The mark
 * has the shape of the intrinsic it replaces, so the L1 property validators accept it.
 *
 * The logical id of a resource named with {@link markLogicalIdOf} (the resources another depends on, which
 * synthesis lists in `DependsOn`) becomes the bare mark too: it names the same resource without computing the
 * logical id, which hashes the construct path and is the costliest token an app holds.
 */
export class ReferenceMarkingResolver extends DefaultTokenResolver {
  private readonly targets = new Map<string, CfnResource>();
  /** Each target's mark (a construct path is joined anew on every read). */
  private readonly keys = new Map<CfnResource, string>();
  /** The resources whose logical-id tokens resolve to their marks. */
  private readonly logicalIdOwners = new Map<IResolvable, CfnResource>();

  constructor() {
    super(new CloudFormationConcat());
  }

  public resolveToken(token: IResolvable, context: IResolveContext, postProcessor: IPostProcessor): unknown {
    if (Reference.isReference(token) && CfnResource.isCfnResource(token.target)) {
      return this.mark(token.target, token.displayName);
    }
    const owner = this.logicalIdOwners.get(token);
    if (owner) return this.keyOf(owner);
    return super.resolveToken(token, context, postProcessor);
  }

  /** Makes `resource`'s logical id resolve to its mark, wherever it appears (e.g. in another's `DependsOn`). */
  public markLogicalIdOf(resource: CfnResource): void {
    const token = Tokenization.reverseString(resource.logicalId).firstToken;
    if (token && !this.logicalIdOwners.has(token)) this.logicalIdOwners.set(token, resource);
  }

  /** The resource a mark names, or undefined when `key` is not a mark (a plain logical id). */
  public targetOf(key: string): CfnResource | undefined {
    return key.startsWith(MARK_PREFIX) ? this.targets.get(key) : undefined;
  }

  private mark(target: CfnResource, attribute: string): unknown {
    const key = this.keyOf(target);
    return attribute === 'Ref' ? { Ref: key } : { 'Fn::GetAtt': [key, attribute] };
  }

  private keyOf(target: CfnResource): string {
    let key = this.keys.get(target);
    if (key === undefined) {
      key = `${MARK_PREFIX}${target.node.path}`;
      this.keys.set(target, key);
      this.targets.set(key, target);
    }
    return key;
  }
}

/**
 * Joins string fragments as CloudFormation does: literal neighbours merge, anything else makes an
 * `Fn::Join` with an empty delimiter (nested joins flattened).
 */
class CloudFormationConcat implements IFragmentConcatenator {
  public join(left: unknown, right: unknown): unknown {
    if (left === undefined) return right;
    if (right === undefined) return left;
    const parts: unknown[] = [];
    for (const part of [...joinParts(left), ...joinParts(right)]) {
      const last = parts[parts.length - 1];
      if (isLiteral(part) && isLiteral(last)) parts[parts.length - 1] = `${last}${part}`;
      else parts.push(part);
    }
    return parts.length === 1 && isLiteral(parts[0]) ? String(parts[0]) : { 'Fn::Join': ['', parts] };
  }
}

function isLiteral(value: unknown): value is string | number {
  return typeof value === 'string' || typeof value === 'number';
}

function joinParts(value: unknown): unknown[] {
  const join = (value as { 'Fn::Join'?: unknown })?.['Fn::Join'];
  if (Array.isArray(join) && join[0] === '' && Array.isArray(join[1])) return join[1];
  return [value];
}
