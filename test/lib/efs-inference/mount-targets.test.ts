/**
 * An existing file system against the zones the functions run in: EFS refuses two mount targets in one zone, a
 * file system is reachable from the one VPC of its mount targets, One Zone storage has its single mount target in its
 * own zone, and Lambda refuses a function whose subnets include a zone without a mount target. Each is refused at
 * synth; the nearest valid layout passes.
 */
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import { EfsModelInference, ModelSource, PatternErrors } from '../../../lib';

const model = ModelSource.fromDirectory(join(__dirname, '..', '..', '..', 'lib', 'examples', 'inference-model'));

/** A VPC with two isolated subnet groups over two zones (subnets 0 and 2 share the first zone) and an S3 endpoint. */
function vpcIn(s: Stack, id = 'Vpc', groups = ['A', 'B']): ec2.Vpc {
  const vpc = new ec2.Vpc(s, id, {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: groups.map((name) => ({ name, subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 })),
    restrictDefaultSecurityGroup: false,
  });
  vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  return vpc;
}

function ids(build: (s: Stack) => unknown, stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } })): string[] {
  try {
    build(stack);
  } catch (error) {
    if (!PatternErrors.isPatternValidationError(error)) throw error;
    return PatternErrors.problemsOf(error).map((p) => p.id);
  }
  return [];
}

const inference = (s: Stack, vpc: ec2.IVpc, fileSystem: efs.IFileSystem, vpcSubnets?: ec2.SubnetSelection) =>
  new EfsModelInference(s, 'Model', { model, vpc, fileSystem, vpcSubnets });

test('one mount target per zone of the functions passes (the legitimate layout)', () => {
  expect(ids((s) => {
    const vpc = vpcIn(s);
    inference(s, vpc, new efs.FileSystem(s, 'Fs', { vpc, vpcSubnets: { subnetGroupName: 'A' } }), { subnetGroupName: 'B' });
  })).toEqual([]);
});

test('two mount targets in one zone are refused; one per zone passes', () => {
  expect(ids((s) => {
    const vpc = vpcIn(s);
    const [a1, , b1] = vpc.isolatedSubnets;
    inference(s, vpc, new efs.FileSystem(s, 'Fs', { vpc, vpcSubnets: { subnets: [a1, b1] } }), { subnets: [a1] });
  })).toEqual(['EfsModelInference.MountTargetsPerZone']);
  expect(ids((s) => {
    const vpc = vpcIn(s);
    inference(s, vpc, new efs.FileSystem(s, 'Fs', { vpc, vpcSubnets: { subnetGroupName: 'A', onePerAz: true } }));
  })).toEqual([]);
});

test('a zone of the functions without a mount target is refused; functions only in covered zones pass', () => {
  const build = (functionSubnets: (vpc: ec2.Vpc) => ec2.SubnetSelection) => (s: Stack) => {
    const vpc = vpcIn(s);
    const [a1] = vpc.isolatedSubnets;
    inference(s, vpc, new efs.FileSystem(s, 'Fs', { vpc, vpcSubnets: { subnets: [a1] } }), functionSubnets(vpc));
  };
  expect(ids(build(() => ({ subnetGroupName: 'B' })))).toEqual(['EfsModelInference.NoMountTargetInZone']);
  // The other subnet of the covered zone: a mount target serves every subnet of its zone.
  expect(ids(build((vpc) => ({ subnets: [vpc.isolatedSubnets[2]] })))).toEqual([]);
});

test('a file system of another VPC is refused; the VPC of its mount targets passes', () => {
  expect(ids((s) => {
    const other = vpcIn(s, 'Other');
    inference(s, vpcIn(s), new efs.FileSystem(s, 'Fs', { vpc: other }));
  })).toEqual(['EfsModelInference.FileSystemInOtherVpc']);
  expect(ids((s) => {
    const other = vpcIn(s, 'Other');
    vpcIn(s);
    inference(s, other, new efs.FileSystem(s, 'Fs', { vpc: other, vpcSubnets: { subnetGroupName: 'A' } }));
  })).toEqual([]);
});

test('One Zone storage with functions in another zone is refused; functions in its zone pass', () => {
  const build = (functionZones: (vpc: ec2.Vpc) => string[]) => (s: Stack) => {
    const vpc = vpcIn(s, 'Vpc', ['A']);
    const fileSystem = new efs.FileSystem(s, 'Fs', { vpc, oneZone: true, vpcSubnets: { availabilityZones: [vpc.availabilityZones[0]] } });
    inference(s, vpc, fileSystem, { availabilityZones: functionZones(vpc) });
  };
  expect(ids(build((vpc) => vpc.availabilityZones))).toEqual(['EfsModelInference.OneZoneFileSystem']);
  expect(ids(build((vpc) => [vpc.availabilityZones[0]]))).toEqual([]);
});

test('One Zone storage in a VPC with two subnets in its zone: aws-cdk-lib mounts it in both, which EFS refuses', () => {
  // oneZone selects every subnet of the zone (its vpcSubnets are ignored), so two subnet groups give two mount targets.
  expect(ids((s) => {
    const vpc = vpcIn(s);
    const zone = vpc.availabilityZones[0];
    inference(s, vpc, new efs.FileSystem(s, 'Fs', { vpc, oneZone: true }), { subnetGroupName: 'A', availabilityZones: [zone] });
  })).toEqual(['EfsModelInference.MountTargetsPerZone']);
});

test('an imported file system is warned about (its mount targets are not in the app), not refused', () => {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  const vpc = vpcIn(stack);
  const fileSystem = efs.FileSystem.fromFileSystemAttributes(stack, 'Fs', {
    fileSystemId: 'fs-12345678', securityGroup: ec2.SecurityGroup.fromSecurityGroupId(stack, 'Sg', 'sg-12345678'),
  });
  expect(ids(() => inference(stack, vpc, fileSystem), stack)).toEqual([]);
  expect(Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('UncheckedMountTargets'))).toHaveLength(1);
});
