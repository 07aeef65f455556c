import { NagRuleCompliance } from 'cdk-nag';
import { FUNCTION } from '../../private/lambda';
import { ingressRulesOf, opensTcpPort, SECURITY_GROUP } from '../../private/network';
import { defineRule, findingsOrCompliant } from '../../private/rule';
import { AppTemplate, TemplateResource } from '../../private/template';
import { listValue, pathValue } from '../../private/values';

const NFS_PORT = 2049;

/**
 * A function that mounts EFS is created only after the file system's mount targets (`DependsOn`, directly or
 * through resources it depends on): Lambda refuses a file system without an available mount target in the
 * function's subnets. The mount targets' security groups open NFS (2049) only to security groups, not to address
 * ranges, and to at least one of the function's. Findings: `DependsOnMountTargets`, `NfsOpenToAddresses`,
 * `NfsClosedToFunction` (only decided when NFS is open to security groups alone). Not applicable when the access
 * point or file system is outside the app.
 */
export const LambdaEfsMount = defineRule(__filename, [FUNCTION], (fn, template) => {
  const configs = listValue(fn.properties.FileSystemConfigs, 'FileSystemConfigs');
  if (configs.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const mountTargets = configs.flatMap((config) => mountTargetsOf(template, pathValue(config, ['Arn'], 'FileSystemConfigs'), fn));
  if (mountTargets.length === 0) return NagRuleCompliance.NOT_APPLICABLE;
  const findings: string[] = [];
  const dependencies = dependencyClosure(template, fn);
  // A mount target in another stack exists before this one deploys.
  if (mountTargets.some((mt) => mt.stack === fn.stack && !dependencies.has(mt))) findings.push('DependsOnMountTargets');

  const groupsAt = (values: unknown, from: TemplateResource) =>
    listValue(values, 'security groups').map((v) => template.resourceAt(v, from, SECURITY_GROUP));
  const nfsRules = mountTargets
    .flatMap((mt) => groupsAt(mt.properties.SecurityGroups, mt))
    .flatMap((group) => (group ? ingressRulesOf(template, group) : []))
    .filter((rule) => opensTcpPort(rule, NFS_PORT));
  if (nfsRules.some((rule) => ['CidrIp', 'CidrIpv6', 'SourcePrefixListId'].some((k) => rule.properties[k] !== undefined))) {
    findings.push('NfsOpenToAddresses');
  }
  const functionGroups = groupsAt(pathValue(fn.properties, ['VpcConfig', 'SecurityGroupIds'], 'VpcConfig'), fn);
  // An address range may well admit the function, so only rules between security groups decide this one.
  const groupRules = nfsRules.filter((rule) => rule.properties.SourceSecurityGroupId !== undefined);
  const allowedGroups = groupRules.map((rule) => template.resourceAt(rule.properties.SourceSecurityGroupId, rule.owner, SECURITY_GROUP));
  const knowable =
    groupRules.length === nfsRules.length && functionGroups.length > 0 && [...functionGroups, ...allowedGroups].every((g) => g);
  if (knowable && !functionGroups.some((g) => allowedGroups.includes(g))) findings.push('NfsClosedToFunction');
  return findingsOrCompliant(findings);
});

/** The mount targets of the file system behind an access point ARN (empty when either is outside the app). */
function mountTargetsOf(template: AppTemplate, accessPointArn: unknown, fn: TemplateResource): TemplateResource[] {
  const accessPoint = template.resourceWithin(accessPointArn, fn, 'AWS::EFS::AccessPoint');
  const fileSystem = accessPoint && template.resourceAt(accessPoint.properties.FileSystemId, accessPoint, 'AWS::EFS::FileSystem');
  if (!fileSystem) return [];
  return template
    .ofType('AWS::EFS::MountTarget')
    .filter((mt) => template.resourceAt(mt.properties.FileSystemId, mt) === fileSystem);
}

/** Every resource that `resource` depends on, directly or transitively. */
function dependencyClosure(template: AppTemplate, resource: TemplateResource): Set<TemplateResource> {
  const seen = new Set<TemplateResource>();
  const pending = [resource];
  while (pending.length > 0) {
    const current = pending.pop()!;
    for (const dependency of template.directDependencies(current)) {
      if (!seen.has(dependency)) {
        seen.add(dependency);
        pending.push(dependency);
      }
    }
  }
  return seen;
}
