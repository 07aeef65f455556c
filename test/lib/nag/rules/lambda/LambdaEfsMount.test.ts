import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { LambdaEfsMount as rule } from '../../../../../lib/nag/rules/lambda';
import { fn, NagRuleCompliance, stack } from '../../support/fixtures';
import { findings, resultOn } from '../../support/rule-harness';

function network(scope: Construct) {
  const vpc = new ec2.Vpc(scope, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
  const fileSystem = new efs.FileSystem(scope, 'Fs', { vpc });
  const accessPoint = fileSystem.addAccessPoint('Ap', { path: '/models', posixUser: { uid: '1000', gid: '1000' }, createAcl: { ownerUid: '1000', ownerGid: '1000', permissions: '750' } });
  return { vpc, fileSystem, accessPoint };
}

test('aws-cdk-lib wiring (fromEfsAccessPoint) depends on the mount targets and opens NFS to the function only: compliant', () => {
  const s = stack();
  const { vpc, accessPoint } = network(s);
  fn(s, 'Fn', { vpc, filesystem: lambda.FileSystem.fromEfsAccessPoint(accessPoint, '/mnt/models') });
  expect(findings(rule, s)).toEqual([]);
});

/** A function that mounts the access point through its L1 properties only (no dependency, no security group rule). */
function mountByHand(scope: Construct, id: string, vpc: ec2.IVpc, accessPoint: efs.IAccessPoint): lambda.Function {
  const f = fn(scope, id, { vpc });
  (f.node.defaultChild as lambda.CfnFunction).fileSystemConfigs = [{ arn: accessPoint.accessPointArn, localMountPath: '/mnt/models' }];
  return f;
}

test('NFS opened to the VPC range, and a function created without waiting for the mount targets, are reported', () => {
  const s = stack();
  const { vpc, fileSystem, accessPoint } = network(s);
  fileSystem.connections.allowDefaultPortFrom(ec2.Peer.ipv4(vpc.vpcCidrBlock));
  mountByHand(s, 'Fn', vpc, accessPoint);
  expect(findings(rule, s)).toEqual(['SPC-LMB7[DependsOnMountTargets]  S/Fn/Resource', 'SPC-LMB7[NfsOpenToAddresses]  S/Fn/Resource']);
});

test("NFS open to other security groups but not the function's is reported; a dependency on the file system construct counts", () => {
  const s = stack();
  const { vpc, fileSystem, accessPoint } = network(s);
  fileSystem.connections.allowDefaultPortFrom(new ec2.SecurityGroup(s, 'Bastion', { vpc }));
  const f = mountByHand(s, 'Fn', vpc, accessPoint);
  f.node.addDependency(fileSystem.mountTargetsAvailable);
  expect(findings(rule, s)).toEqual(['SPC-LMB7[NfsClosedToFunction]  S/Fn/Resource']);
});

test('an access point outside the app, or no file system, is not applicable', () => {
  const s = stack();
  const f = fn(s, 'Fn');
  (f.node.defaultChild as lambda.CfnFunction).fileSystemConfigs = [
    { arn: 'arn:aws:elasticfilesystem:us-east-1:111111111111:access-point/fsap-1', localMountPath: '/mnt/x' },
  ];
  expect(resultOn(rule, f)).toBe(NagRuleCompliance.NOT_APPLICABLE);
  expect(resultOn(rule, fn(s, 'Plain'))).toBe(NagRuleCompliance.NOT_APPLICABLE);
});
