import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import { IConstruct } from 'constructs';
import { Problems, warn } from '../../core/private/validation';

/** A mount target of the file system, with the zone of its subnet when the subnet is one of the VPC's. */
interface MountTarget {
  readonly path: string;
  readonly zone?: string;
}

/**
 * Checks an existing file system against the zones the functions will run in (EFS.mountTargetsSource,
 * EFS.lambdaMountTargetsSource): its mount targets must be in `vpc`, at most one per zone (EFS refuses a second), in
 * the file system's zone for One Zone storage, and every zone of the selected subnets needs one (Lambda refuses the
 * function configuration otherwise). A file system defined in the app is inspected, with mount targets added anywhere
 * in the app; an imported one gets a warning.
 */
export function checkMountTargets(
  problems: Problems,
  scope: IConstruct,
  fileSystem: efs.IFileSystem,
  vpc: ec2.IVpc,
  selection: ec2.SubnetSelection | undefined,
): void {
  let functionSubnets: ec2.ISubnet[];
  try {
    functionSubnets = vpc.selectSubnets(selection ?? {}).subnets;
  } catch {
    return; // reported by the subnet checks
  }
  const stack = Stack.of(vpc);
  const zoneOf = (subnet: ec2.ISubnet) => JSON.stringify(stack.resolve(subnet.availabilityZone));
  const functionZones = new Map(functionSubnets.map((s) => [zoneOf(s), s]));
  if (!(fileSystem instanceof efs.FileSystem)) {
    warn(scope, 'EfsModelInference.UncheckedMountTargets', `file system ${fileSystem.node.path} is imported, so synth cannot ` +
      `check its mount targets: it needs one in VPC ${vpc.node.path} in each zone of the selected subnets ` +
      `(${[...functionZones.values()].map(describeZone).join(', ')}), or Lambda refuses the functions`);
    return;
  }
  const vpcSubnets = [...vpc.publicSubnets, ...vpc.privateSubnets, ...vpc.isolatedSubnets];
  const subnetZones = new Map(vpcSubnets.map((s) => [JSON.stringify(stack.resolve(s.subnetId)), zoneOf(s)]));
  const fileSystemRef = JSON.stringify(stack.resolve(fileSystem.fileSystemId));
  const targets: MountTarget[] = fileSystem.node.root.node.findAll()
    .filter((c): c is efs.CfnMountTarget => c instanceof efs.CfnMountTarget)
    .filter((c) => JSON.stringify(Stack.of(c).resolve(c.fileSystemId)) === fileSystemRef)
    .map((c) => ({ path: c.node.path, zone: subnetZones.get(JSON.stringify(Stack.of(c).resolve(c.subnetId))) }));
  if (targets.length === 0) return; // mount targets made outside the app cannot be seen

  const inVpc = targets.filter((t) => t.zone !== undefined);
  if (!problems.check(
    inVpc.length > 0, 'EfsModelInference.FileSystemInOtherVpc',
    `file system ${fileSystem.node.path} has its mount targets (${targets.map((t) => t.path).join(', ')}) outside VPC ${vpc.node.path}, ` +
      'and a file system is reachable only from the one VPC of its mount targets',
    'pass the vpc of the file system (and subnets of it), or give the file system mount targets in this VPC',
  )) return;

  const byZone = new Map<string, string[]>();
  for (const t of inVpc) byZone.set(t.zone!, [...(byZone.get(t.zone!) ?? []), t.path]);
  for (const [zone, paths] of byZone) {
    problems.check(
      paths.length === 1, 'EfsModelInference.MountTargetsPerZone',
      `file system ${fileSystem.node.path} has ${paths.length} mount targets in zone ${displayZone(zone)} (${paths.join(', ')}); ` +
        'EFS allows one per zone',
      'select one subnet per zone for the file system (vpcSubnets: { ..., onePerAz: true })',
    );
  }

  const cfn = fileSystem.node.defaultChild as efs.CfnFileSystem;
  const oneZone = stack.resolve(cfn.availabilityZoneName);
  if (typeof oneZone === 'string' && !Token.isUnresolved(oneZone)) {
    const elsewhere = [...functionZones.entries()].filter(([zone]) => zone !== JSON.stringify(oneZone)).map(([, s]) => s);
    problems.check(
      elsewhere.length === 0, 'EfsModelInference.OneZoneFileSystem',
      `file system ${fileSystem.node.path} is One Zone storage in ${oneZone}, but the functions would also run in ` +
        `${elsewhere.map(describeZone).join(', ')}, where it can have no mount target`,
      `select only subnets in ${oneZone} (vpcSubnets: { availabilityZones: ['${oneZone}'] }), or use a Regional file system`,
    );
    if (elsewhere.length > 0) return;
  }
  const uncovered = [...functionZones.entries()].filter(([zone]) => !byZone.has(zone)).map(([, s]) => s);
  problems.check(
    uncovered.length === 0, 'EfsModelInference.NoMountTargetInZone',
    `file system ${fileSystem.node.path} has no mount target in the zone of ${uncovered.map(describeZone).join(', ')}, ` +
      'where the functions would run; Lambda refuses a function whose subnets include a zone without one',
    'select subnets only in zones with a mount target, or add a mount target in each zone of vpcSubnets',
  );
}

function describeZone(subnet: ec2.ISubnet): string {
  return Token.isUnresolved(subnet.availabilityZone) ? subnet.node.path : `${subnet.node.path} (${subnet.availabilityZone})`;
}

function displayZone(resolvedZone: string): string {
  const zone = JSON.parse(resolvedZone) as unknown;
  return typeof zone === 'string' ? zone : resolvedZone;
}
