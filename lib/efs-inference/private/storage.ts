import { RemovalPolicy, Size } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { InferenceNetwork } from './network';
import { warn } from '../../core/private/validation';
import { EFS_INFERENCE_DEFAULTS } from '../contract';

/** The file system settings the construct was given. */
export interface StorageOptions {
  readonly fileSystem?: efs.IFileSystem;
  readonly throughputMode?: efs.ThroughputMode;
  readonly provisionedThroughput?: Size;
  readonly removalPolicy?: RemovalPolicy;
  readonly enableAutomaticBackups?: boolean;
}

/** The file system, the access point both functions mount, and how to mount it. */
export interface ModelStorage {
  readonly fileSystem: efs.IFileSystem;
  readonly accessPoint: efs.AccessPoint;
  /** Whether the construct created the file system (and so owns its policy). */
  readonly owned: boolean;
}

/**
 * A new file system: encrypted, elastic throughput unless told otherwise, no automatic backups unless asked, a security group that
 * admits nothing until the functions are connected, and (in {@link restrictFileSystem}) a file system policy that
 * requires IAM authorization. Or an existing one, whose policy stays its owner's (a warning says so). Either way an
 * access point with a fixed POSIX user and a root directory created with that owner: every file the functions write
 * and read belongs to that user, whatever the function's runtime runs as.
 */
export function createStorage(scope: Construct, network: InferenceNetwork, options: StorageOptions): ModelStorage {
  let fileSystem = options.fileSystem;
  if (fileSystem) {
    warn(scope, 'EfsModelInference.ExistingFileSystemPolicy',
      `the policy of existing file system ${fileSystem.node.path} is its owner's: make sure it requires IAM authorization ` +
      '(a file system policy) and that only the sync function may write; the construct grants its functions by their roles');
  } else {
    fileSystem = new efs.FileSystem(scope, 'FileSystem', {
      vpc: network.vpc,
      // One mount target per zone (EFS allows no more); functions in any selected subnet reach the one of their zone.
      vpcSubnets: { ...network.subnets, onePerAz: true },
      securityGroup: new ec2.SecurityGroup(scope, 'FileSystemSecurityGroup', {
        vpc: network.vpc,
        description: 'EFS mount targets of the model: NFS from the model functions only',
        allowAllOutbound: false,
      }),
      encrypted: true,
      throughputMode: options.throughputMode ?? efs.ThroughputMode.ELASTIC,
      provisionedThroughputPerSecond: options.provisionedThroughput,
      performanceMode: efs.PerformanceMode.GENERAL_PURPOSE,
      removalPolicy: options.removalPolicy ?? RemovalPolicy.DESTROY,
      // aws-cdk-lib's "deny anonymous access" default grants ClientWrite and ClientRootAccess to every principal that
      // mounts through a mount target: that would let the read-only inference function write. restrictFileSystem
      // writes the policy instead, which grants anonymous clients nothing.
      allowAnonymousAccess: true,
    });
    // Said in the template either way: an absent BackupPolicy means off for a Regional file system through the API,
    // on for a One Zone one ("Backing up EFS file systems", https://docs.aws.amazon.com/efs/latest/ug/awsbackup.html).
    (fileSystem.node.defaultChild as efs.CfnFileSystem).backupPolicy = { status: options.enableAutomaticBackups ? 'ENABLED' : 'DISABLED' };
  }
  const { posixUid, posixGid } = EFS_INFERENCE_DEFAULTS;
  const accessPoint = new efs.AccessPoint(scope, 'AccessPoint', {
    fileSystem,
    // One directory per construct, so several can share an existing file system.
    path: `/model-${scope.node.addr.slice(0, 12)}`,
    createAcl: { ownerUid: String(posixUid), ownerGid: String(posixGid), permissions: '750' },
    posixUser: { uid: String(posixUid), gid: String(posixGid) },
  });
  return { fileSystem, accessPoint, owned: !options.fileSystem };
}

/*
 * EFS enforces four condition keys for NFS clients and "no other condition keys are enforced": aws:SecureTransport,
 * aws:SourceIp, elasticfilesystem:AccessPointArn, elasticfilesystem:AccessedViaMountTarget ("Using IAM to control
 * access to file systems", EFS user guide,
 * https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html). A key EFS does not set (such as
 * aws:PrincipalArn) is absent from every request, so a negated operator on it (ArnNotEquals) is always true: a deny
 * written with one hits everyone, the writer included. The policies below use those four keys only, and who may do
 * what is said by principals (allow-lists), not by conditions.
 */
const NFS_ACTIONS = ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite', 'elasticfilesystem:ClientRootAccess'];

/**
 * How a function mounts the access point: ClientMount through this access point, plus ClientWrite for the sync
 * function only (aws-cdk-lib's `FileSystem.fromEfsAccessPoint` grants ClientWrite to every function, with the mount
 * on `*`), and a deny of every NFS action through any other access point (or none). The deny names the access point,
 * so it lives in the role's policy: the file system policy cannot name it (the access point depends on the file
 * system), while the role policy is created after the access point it refers to.
 */
class AccessPointMount extends lambda.FileSystem {
  constructor(storage: ModelStorage, mountPath: string, writable: boolean) {
    const fileSystemArn = storage.fileSystem.fileSystemArn;
    const accessPointArn = storage.accessPoint.accessPointArn;
    super({
      localMountPath: mountPath,
      arn: accessPointArn,
      dependency: [storage.fileSystem.mountTargetsAvailable],
      connections: storage.fileSystem.connections,
      policies: [
        new iam.PolicyStatement({
          actions: writable ? ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'] : ['elasticfilesystem:ClientMount'],
          resources: [fileSystemArn],
          conditions: { StringEquals: { 'elasticfilesystem:AccessPointArn': accessPointArn } },
        }),
        new iam.PolicyStatement({
          effect: iam.Effect.DENY,
          actions: NFS_ACTIONS,
          resources: [fileSystemArn],
          conditions: { StringNotEquals: { 'elasticfilesystem:AccessPointArn': accessPointArn } },
        }),
      ],
    });
  }
}

export function mountFor(storage: ModelStorage, mountPath: string, writable: boolean): lambda.FileSystem {
  return new AccessPointMount(storage, mountPath, writable);
}

/**
 * The file system policy of a file system the construct created: both roles may mount through a mount target, only
 * the sync role may write, nobody gets root access, and nothing is allowed without TLS. Clients that do not
 * authenticate with IAM are granted nothing, so every mount needs IAM authorization.
 */
export function restrictFileSystem(storage: ModelStorage, readers: iam.IRole[], writer: iam.IRole): void {
  if (!storage.owned) return;
  const fileSystem = storage.fileSystem as efs.FileSystem;
  const viaMountTarget = { Bool: { 'elasticfilesystem:AccessedViaMountTarget': 'true' } };
  fileSystem.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'MountThroughMountTargets',
    principals: [...readers, writer].map((r) => new iam.ArnPrincipal(r.roleArn)),
    actions: ['elasticfilesystem:ClientMount'],
    resources: ['*'],
    conditions: viaMountTarget,
  }));
  fileSystem.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'OnlyTheSyncFunctionWrites',
    principals: [new iam.ArnPrincipal(writer.roleArn)],
    actions: ['elasticfilesystem:ClientWrite'],
    resources: ['*'],
    conditions: viaMountTarget,
  }));
  fileSystem.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'NothingWithoutTls',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: NFS_ACTIONS,
    resources: ['*'],
    conditions: { Bool: { 'aws:SecureTransport': 'false' } },
  }));
  fileSystem.addToResourcePolicy(new iam.PolicyStatement({
    sid: 'NoRootAccess',
    effect: iam.Effect.DENY,
    principals: [new iam.AnyPrincipal()],
    actions: ['elasticfilesystem:ClientRootAccess'],
    resources: ['*'],
  }));
}
