import { AppTemplate, TemplateResource } from './template';
import { isIntrinsic, isPlainObject, JsonObject, listValue, NotResolvable, objectValue, tryOr } from './values';

/** One statement of a policy document, normalised (single values become lists). */
export interface PolicyStatement {
  readonly allow: boolean;
  /** Action patterns; for a `NotAction` statement, the actions it excludes. */
  readonly actions: readonly string[];
  readonly notAction: boolean;
  /** Resource values (ARNs, marks, intrinsics); for a `NotResource` statement, those it excludes. */
  readonly resources: readonly unknown[];
  readonly notResource: boolean;
  readonly principal: unknown;
  readonly condition: JsonObject;
  /** The resource holding the policy document. */
  readonly owner: TemplateResource;
}

/** The statements of a policy document; throws NotResolvable when its shape is not known at synth. */
export function statementsOf(document: unknown, owner: TemplateResource): PolicyStatement[] {
  const parsed = objectValue(document, 'policy document');
  if (!parsed) return [];
  return listValue(parsed.Statement, 'policy statements').map((raw) => {
    const statement = objectValue(raw, 'policy statement');
    if (!statement) throw new NotResolvable('policy statement');
    const actionList = listValue(statement.Action ?? statement.NotAction, 'policy actions');
    if (actionList.some((a) => typeof a !== 'string')) throw new NotResolvable('policy actions');
    return {
      allow: statement.Effect === 'Allow',
      actions: actionList as string[],
      notAction: statement.Action === undefined && statement.NotAction !== undefined,
      resources: listValue(statement.Resource ?? statement.NotResource, 'policy resources'),
      notResource: statement.Resource === undefined && statement.NotResource !== undefined,
      principal: statement.Principal ?? statement.NotPrincipal,
      condition: objectValue(statement.Condition, 'policy condition') ?? {},
      owner,
    };
  });
}

/** Whether the statement's action list covers `action` (wildcards and case as IAM matches them). */
export function coversAction(statement: PolicyStatement, action: string): boolean {
  const listed = statement.actions.some((pattern) => globMatches(pattern, action));
  return statement.notAction ? !listed : listed;
}

/** IAM's wildcard match: `*` any run of characters, `?` one character, case-insensitive. */
export function globMatches(pattern: string, value: string): boolean {
  let expression = GLOBS.get(pattern);
  if (!expression) {
    const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
    expression = new RegExp(`^${source}$`, 'i');
    GLOBS.set(pattern, expression);
  }
  return expression.test(value);
}

/** Compiled action patterns: an app repeats the same few hundred. */
const GLOBS = new Map<string, RegExp>();

/**
 * The values of condition key `key` (e.g. `aws:SourceArn`) under any operator, case-insensitively; undefined when
 * the statement does not test the key.
 */
export function conditionValues(statement: PolicyStatement, key: string): unknown[] | undefined {
  let found: unknown[] | undefined;
  for (const block of Object.values(statement.condition)) {
    if (!isPlainObject(block) || isIntrinsic(block)) throw new NotResolvable('policy condition');
    for (const [name, value] of Object.entries(block)) {
      if (name.toLowerCase() === key.toLowerCase()) found = [...(found ?? []), ...listValue(value, 'condition value')];
    }
  }
  return found;
}

/** The service names of a principal (`sns.amazonaws.com`...); `*` for an anonymous principal. */
export function servicePrincipals(principal: unknown): string[] {
  if (principal === '*') return ['*'];
  if (!isPlainObject(principal) || isIntrinsic(principal)) return [];
  const services = listValue(principal.Service, 'service principal').filter((s): s is string => typeof s === 'string');
  const aws = listValue(principal.AWS, 'principal').includes('*') ? ['*'] : [];
  return [...services, ...aws];
}

/** An identity-based policy document and the roles it applies to. */
export interface IdentityPolicy {
  readonly statements: readonly PolicyStatement[];
  readonly roles: readonly TemplateResource[];
}

/**
 * Every identity-based policy of the app with the roles it is attached to: `AWS::IAM::Policy`, `ManagedPolicy`
 * and `RolePolicy` resources and the inline policies of roles. A document that cannot be read is left out (its
 * grants are then unknown, never guessed).
 */
export function identityPolicies(template: AppTemplate): IdentityPolicy[] {
  return template.memo('iam:identity-policies', () => {
    const roleAt = (value: unknown, from: TemplateResource) => template.resourceAt(value, from, 'AWS::IAM::Role');
    const policies: IdentityPolicy[] = [];
    const add = (document: unknown, owner: TemplateResource, roles: (TemplateResource | undefined)[]) => {
      const statements = tryOr(() => statementsOf(document, owner), []);
      if (statements.length > 0) policies.push({ statements, roles: roles.filter((r): r is TemplateResource => !!r) });
    };
    // Only roles that may hold inline or managed policies are rendered (most hold neither).
    const rolesWith = (property: string) =>
      template.nodesOfType('AWS::IAM::Role').filter((node) => template.mayHave(node, property)).map((node) => template.get(node))
        .filter((r): r is TemplateResource => r?.type === 'AWS::IAM::Role');
    const rolesWithManaged = template.nodesOfType('AWS::IAM::ManagedPolicy').length > 0 ? rolesWith('managedPolicyArns') : [];
    for (const policy of template.ofType('AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy')) {
      const roles = tryOr(() => listValue(policy.properties.Roles, 'roles'), []).map((r) => roleAt(r, policy));
      const attachedVia = rolesWithManaged.filter((role) =>
        tryOr(() => listValue(role.properties.ManagedPolicyArns, 'managed policies'), []).some(
          (arn) => template.resourceAt(arn, role) === policy,
        ),
      );
      add(policy.properties.PolicyDocument, policy, [...roles, ...attachedVia]);
    }
    for (const policy of template.ofType('AWS::IAM::RolePolicy')) {
      add(policy.properties.PolicyDocument, policy, [roleAt(policy.properties.RoleName, policy)]);
    }
    for (const role of rolesWith('policies')) {
      for (const inline of tryOr(() => listValue(role.properties.Policies, 'inline policies'), [])) {
        if (isPlainObject(inline)) add(inline.PolicyDocument, role, [role]);
      }
    }
    return policies;
  });
}

/** Every Allow statement that applies to `role`. */
export function allowStatementsOf(template: AppTemplate, role: TemplateResource): PolicyStatement[] {
  const byRole = template.memo('iam:statements-by-role', () => {
    const map = new Map<TemplateResource, PolicyStatement[]>();
    for (const policy of identityPolicies(template)) {
      for (const r of policy.roles) map.set(r, [...(map.get(r) ?? []), ...policy.statements.filter((s) => s.allow)]);
    }
    return map;
  });
  return byRole.get(role) ?? [];
}
