import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { EfsModelInference, EfsModelInferenceProps, InferenceHandler, ModelSource } from '../../../lib';
import { newStack, onlyResource, template } from '../../support/cdk';

const EXAMPLE_MODEL = join(__dirname, '..', '..', '..', 'lib', 'examples', 'inference-model');
const MODEL_SHA256 = createHash('sha256').update(readFileSync(join(EXAMPLE_MODEL, 'model.onnx'))).digest('hex');

function synth(props: Partial<EfsModelInferenceProps> = {}, prepare?: (stack: Stack) => Partial<EfsModelInferenceProps>) {
  const stack = newStack();
  const construct = new EfsModelInference(stack, 'Model', { model: ModelSource.fromDirectory(EXAMPLE_MODEL), ...props, ...prepare?.(stack) });
  return { stack, construct, t: template(stack) };
}

/** The logical id of the one resource of `type` whose id starts with `prefix`. */
function logicalId(t: Template, type: string, prefix: string): string {
  const ids = Object.keys(t.findResources(type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('by default', () => {
  let t: Template;
  let inferenceRole: string;
  let syncRole: string;
  beforeAll(() => {
    ({ t } = synth());
    inferenceRole = logicalId(t, 'AWS::IAM::Role', 'ModelInferenceFunctionServiceRole');
    syncRole = logicalId(t, 'AWS::IAM::Role', 'ModelSyncFunctionServiceRole');
  });

  test('a new VPC: isolated subnets only, no NAT or internet gateway, an S3 gateway endpoint, flow logs', () => {
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::EC2::NatGateway', 0);
    t.resourceCountIs('AWS::EC2::InternetGateway', 0);
    t.resourceCountIs('AWS::EC2::Subnet', 2);
    t.hasResourceProperties('AWS::EC2::Subnet', { MapPublicIpOnLaunch: false });
    t.hasResourceProperties('AWS::EC2::VPCEndpoint', {
      ServiceName: { 'Fn::Join': ['', ['com.amazonaws.', { Ref: 'AWS::Region' }, '.s3']] },
      VpcEndpointType: 'Gateway',
    });
    t.hasResourceProperties('AWS::EC2::FlowLog', { ResourceType: 'VPC', TrafficType: 'ALL', LogDestinationType: 'cloud-watch-logs' });
  });

  test('an encrypted file system, elastic throughput, automatic backups off (said in the template), removed with the stack', () => {
    const fs = onlyResource(t, 'AWS::EFS::FileSystem');
    expect(fs.Properties).toMatchObject({ Encrypted: true, ThroughputMode: 'elastic', PerformanceMode: 'generalPurpose', BackupPolicy: { Status: 'DISABLED' } });
    expect(fs.DeletionPolicy).toBe('Delete');
    t.resourceCountIs('AWS::EFS::MountTarget', 2);
  });

  test('an access point with a fixed POSIX user and a root directory created with that owner', () => {
    expect(onlyResource(t, 'AWS::EFS::AccessPoint').Properties).toMatchObject({
      PosixUser: { Uid: '1000', Gid: '1000' },
      RootDirectory: { Path: expect.stringMatching(/^\/model-[0-9a-f]{12}$/), CreationInfo: { OwnerUid: '1000', OwnerGid: '1000', Permissions: '750' } },
    });
  });

  test('the mount targets admit NFS (2049) only, and only from the two functions', () => {
    const fsGroup = logicalId(t, 'AWS::EC2::SecurityGroup', 'ModelFileSystemSecurityGroup');
    const ingress = Object.values(t.findResources('AWS::EC2::SecurityGroupIngress')).map((r) => r.Properties);
    expect(ingress).toHaveLength(2);
    for (const rule of ingress) {
      expect(rule).toMatchObject({ IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049, GroupId: { 'Fn::GetAtt': [fsGroup, 'GroupId'] } });
      expect(rule.CidrIp).toBeUndefined();
    }
    const sources = ingress.map((r) => r.SourceSecurityGroupId['Fn::GetAtt'][0]).sort();
    expect(sources).toEqual([logicalId(t, 'AWS::EC2::SecurityGroup', 'ModelInferenceSecurityGroup'), logicalId(t, 'AWS::EC2::SecurityGroup', 'ModelSyncSecurityGroup')].sort());
    // The security groups inline no open ingress either.
    for (const sg of Object.values(t.findResources('AWS::EC2::SecurityGroup'))) expect(sg.Properties.SecurityGroupIngress).toBeUndefined();
  });

  test('the inference role may only mount through the access point; the sync role may also write; nobody gets ClientFullAccess', () => {
    const actionsOf = (roleId: string) => Object.values(t.findResources('AWS::IAM::Policy'))
      .filter((p) => JSON.stringify(p.Properties.Roles).includes(roleId))
      .flatMap((p) => p.Properties.PolicyDocument.Statement)
      .filter((s) => JSON.stringify(s.Action).includes('elasticfilesystem'));
    const accessPoint = logicalId(t, 'AWS::EFS::AccessPoint', 'ModelAccessPoint');
    const condition = { StringEquals: { 'elasticfilesystem:AccessPointArn': Match.objectLike({ 'Fn::Join': Match.arrayWith([Match.arrayWith([{ Ref: accessPoint }])]) }) } };
    // What these statements allow and deny, with the file system policy, is evaluated in test/lib/iam.
    expect(actionsOf(inferenceRole)).toEqual([expect.objectContaining({ Action: 'elasticfilesystem:ClientMount' }), expect.objectContaining({ Effect: 'Deny' })]);
    expect(actionsOf(syncRole)).toEqual([
      expect.objectContaining({ Action: ['elasticfilesystem:ClientMount', 'elasticfilesystem:ClientWrite'] }), expect.objectContaining({ Effect: 'Deny' }),
    ]);
    t.hasResourceProperties('AWS::IAM::Policy', { PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 'elasticfilesystem:ClientMount', Condition: condition })]) } });
    expect(JSON.stringify(t.toJSON())).not.toContain('ClientFullAccess');
  });

  test('the sync function: in the VPC, mounted at /mnt/models, one at a time, failures to a queue', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Installs model versions'),
      Timeout: 900,
      ReservedConcurrentExecutions: 1,
      FileSystemConfigs: [{ LocalMountPath: '/mnt/models', Arn: Match.anyValue() }],
      VpcConfig: Match.objectLike({ SubnetIds: Match.anyValue() }),
      Environment: { Variables: { EFS_INFERENCE_MODEL_ROOT: '/mnt/models', EFS_INFERENCE_RETAINED_VERSIONS: '3', EFS_INFERENCE_MODEL_FILE: 'model.onnx' } },
    });
    t.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { DestinationConfig: { OnFailure: Match.anyValue() } });
  });

  test('the custom resource lists each model file with its SHA-256, reads only those objects, and waits at most the sync timeout plus a minute', () => {
    const cr = onlyResource(t, 'Custom::EfsModelVersion');
    expect(cr.Properties.ServiceTimeout).toBe('960');
    const request = JSON.stringify(cr.Properties.Request);
    expect(request).toContain(`\\"path\\":\\"model.onnx\\",\\"sha256\\":\\"${MODEL_SHA256}\\"`);
    const syncPolicy = Object.values(t.findResources('AWS::IAM::Policy')).find((p) => JSON.stringify(p.Properties.Roles).includes(syncRole))!;
    const s3Statements = syncPolicy.Properties.PolicyDocument.Statement.filter((s: any) => JSON.stringify(s.Action).includes('s3:'));
    expect(s3Statements).toHaveLength(1);
    expect(s3Statements[0].Action).toBe('s3:GetObject');
    expect(JSON.stringify(s3Statements[0].Resource)).toMatch(/cdk-hnb659fds-assets-.*\/[0-9a-f]{64}\.onnx/);
  });

  test('the stack waits: model sync after the S3 endpoint, the inference function after the model sync', () => {
    const cr = onlyResource(t, 'Custom::EfsModelVersion');
    expect(cr.DependsOn).toEqual(expect.arrayContaining([logicalId(t, 'AWS::EC2::VPCEndpoint', 'ModelVpcS3Endpoint')]));
    const fn = t.findResources('AWS::Lambda::Function', { Properties: { Description: 'Serves the model on EFS' } });
    expect(Object.values(fn)[0].DependsOn).toEqual(expect.arrayContaining([logicalId(t, 'Custom::EfsModelVersion', 'ModelModelVersion')]));
  });

  test('the inference function: arm64, 2 GB, 30 s, read-only mount, the onnxruntime layer, the pointer settings', () => {
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Serves the model on EFS',
      Architectures: ['arm64'],
      MemorySize: 2048,
      Timeout: 30,
      Runtime: 'nodejs24.x',
      Layers: [{ Ref: logicalId(t, 'AWS::Lambda::LayerVersion', 'OnnxRuntimeLayerArm64') }],
      FileSystemConfigs: [{ LocalMountPath: '/mnt/models', Arn: Match.anyValue() }],
      Environment: { Variables: { EFS_INFERENCE_MODEL_ROOT: '/mnt/models', EFS_INFERENCE_MODEL_FILE: 'model.onnx', EFS_INFERENCE_POINTER_CHECK_INTERVAL_MS: '5000' } },
    });
    t.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleArchitectures: ['arm64'], LicenseInfo: 'MIT' });
    t.resourceCountIs('AWS::Lambda::Url', 0);
    t.resourceCountIs('AWS::Lambda::Alias', 0);
  });

  test('alarms: inference errors, throttles, p99 duration at 80 % of the timeout, sync errors, sync failures', () => {
    const alarms = Object.values(t.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    expect(alarms.map((a) => a.AlarmDescription).sort()).toEqual([
      'Model inference: function errors',
      'Model inference: p99 duration at 80 % of the 30 seconds timeout',
      'Model inference: throttled requests (concurrency limit reached)',
      'Model sync: function errors',
      'Test/Model/SyncFunction on-failure queue holds messages that could not be delivered or processed',
    ]);
    expect(alarms.find((a) => a.ExtendedStatistic === 'p99')).toMatchObject({ MetricName: 'Duration', Threshold: 24_000 });
  });
});

test('a function URL uses IAM authentication', () => {
  const { t } = synth({ functionUrl: true });
  t.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
});

test('provisioned concurrency lives on a live alias, which the function URL targets', () => {
  const { t, construct } = synth({ reservedConcurrentExecutions: 4, provisionedConcurrentExecutions: 2, functionUrl: true });
  t.hasResourceProperties('AWS::Lambda::Alias', { Name: 'live', ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 } });
  t.hasResourceProperties('AWS::Lambda::Function', { Description: 'Serves the model on EFS', ReservedConcurrentExecutions: 4 });
  t.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM', Qualifier: 'live' });
  expect(construct.invokeTarget).toBeInstanceOf(lambda.Alias);
});

test('x86_64 gets a layer with the x64 binaries; two constructs of one architecture share one layer', () => {
  const stack = newStack();
  const model = ModelSource.fromDirectory(EXAMPLE_MODEL);
  new EfsModelInference(stack, 'A', { model, architecture: lambda.Architecture.X86_64 });
  new EfsModelInference(stack, 'B', { model, architecture: lambda.Architecture.X86_64 });
  const t = template(stack);
  t.resourceCountIs('AWS::Lambda::LayerVersion', 1);
  t.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleArchitectures: ['x86_64'], Description: Match.stringLikeRegexp('Linux x64 binaries only') });
});

test('the model version the deploy installed is the custom resource attribute', () => {
  const { stack, construct } = synth();
  expect(stack.resolve(construct.modelVersion)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^ModelModelVersion/), 'Version'] });
});

describe('an S3 prefix source', () => {
  test('reads objects under the prefix only and syncs again when a manifest is published', () => {
    const { t } = synth({}, (s) => ({ model: ModelSource.fromBucket(new s3.Bucket(s, 'Models'), 'models/ranker/') }));
    t.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Installs model versions'),
      Environment: { Variables: Match.objectLike({ EFS_INFERENCE_SOURCE_BUCKET: { Ref: Match.stringLikeRegexp('^Models') }, EFS_INFERENCE_SOURCE_PREFIX: 'models/ranker/' }) },
    });
    t.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [Match.anyValue(), '/models/ranker/*']] } })]) },
    });
    t.hasResourceProperties('Custom::S3BucketNotifications', {
      NotificationConfiguration: { LambdaFunctionConfigurations: [Match.objectLike({ Events: ['s3:ObjectCreated:*'], Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'models/ranker/SHA256SUMS' }] } } })] },
    });
  });

  test('the prefix wildcard is acknowledged with its reason; aws-cdk-lib\'s notification handler is left to the app', () => {
    const { stack } = synth({}, (s) => ({ model: ModelSource.fromBucket(new s3.Bucket(s, 'Models', { enforceSSL: true }), 'models/ranker/') }));
    const violations = new AwsSolutionsChecks().validateScope(stack).violations;
    const on = (part: (path: string) => boolean) => violations
      .filter((v) => v.violatingResources.some((r) => part(r.constructPath ?? '')))
      .map((v) => v.ruleName);
    expect(on((path) => path.startsWith('Test/Model/'))).toEqual([]);
    // An acknowledgement id may hold one '::' only (aws-cdk-lib), so the handler's managed-policy finding cannot be.
    // The handler's runtime is aws-cdk-lib's choice: on an aws-cdk-lib that knows a newer Python than the handler's,
    // AwsSolutions-L1 reports it too, which is also the app's to decide.
    expect(on((path) => path.includes('BucketNotificationsHandler')).filter((rule) => rule !== 'AwsSolutions-L1')).toEqual([
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    ]);
  });

  test('without syncOnPublish only deploys sync', () => {
    const { t } = synth({}, (s) => ({ model: ModelSource.fromBucket(new s3.Bucket(s, 'Models'), 'm/', { syncOnPublish: false }) }));
    t.resourceCountIs('Custom::S3BucketNotifications', 0);
  });
});

test('your own code in any runtime: no onnxruntime layer, no model file required', () => {
  const { t } = synth({ handler: InferenceHandler.custom({ code: lambda.Code.fromInline('def handler(e, c): return 1'), handler: 'index.handler', runtime: lambda.Runtime.PYTHON_3_13 }) });
  t.resourceCountIs('AWS::Lambda::LayerVersion', 0);
  t.hasResourceProperties('AWS::Lambda::Function', {
    Description: 'Serves the model on EFS',
    Runtime: 'python3.13',
    Environment: { Variables: Match.not(Match.objectLike({ EFS_INFERENCE_MODEL_FILE: Match.anyValue() })) },
  });
});

describe('existing network and storage', () => {
  test('an existing VPC with an S3 endpoint is used as it is, and the sync waits for that endpoint', () => {
    const { t } = synth({}, (s) => {
      const vpc = new ec2.Vpc(s, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'I', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
      return { vpc };
    });
    t.resourceCountIs('AWS::EC2::VPC', 1);
    t.resourceCountIs('AWS::EC2::FlowLog', 0);
    expect(onlyResource(t, 'Custom::EfsModelVersion').DependsOn).toEqual(expect.arrayContaining([logicalId(t, 'AWS::EC2::VPCEndpoint', 'VpcS3')]));
  });

  test('an imported VPC cannot be checked: a warning says what to make sure of', () => {
    const { stack } = synth({}, (s) => ({
      vpc: ec2.Vpc.fromVpcAttributes(s, 'Imported', { vpcId: 'vpc-1', availabilityZones: ['us-east-1a'], isolatedSubnetIds: ['subnet-1'], isolatedSubnetRouteTableIds: ['rtb-1'] }),
    }));
    Annotations.fromStack(stack).hasWarning('/Test/Model', Match.stringLikeRegexp('VPC vpc-1 is imported, so synth cannot check that the sync function reaches S3'));
  });

  test('an existing file system gets an access point and NFS rules, its policy stays its owner\'s (a warning says so)', () => {
    const { stack, t } = synth({}, (s) => {
      const vpc = new ec2.Vpc(s, 'Vpc', { natGateways: 1 });
      return { vpc, fileSystem: new efs.FileSystem(s, 'Shared', { vpc, throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughputPerSecond: Size.mebibytes(10) }) };
    });
    t.resourceCountIs('AWS::EFS::FileSystem', 1);
    t.hasResourceProperties('AWS::EFS::AccessPoint', { FileSystemId: { Ref: Match.stringLikeRegexp('^Shared') } });
    t.hasResourceProperties('AWS::EC2::SecurityGroupIngress', { FromPort: 2049, GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SharedEfsSecurityGroup'), 'GroupId'] } });
    Annotations.fromStack(stack).hasWarning('/Test/Model', Match.stringLikeRegexp('the policy of existing file system Test/Shared is its owner'));
  });
});

test('provisioned throughput, another mount path and retention reach the resources', () => {
  const { t } = synth({ throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughput: Size.mebibytes(64), mountPath: '/mnt/ranker', retainedVersions: 5, pointerCheckInterval: Duration.seconds(0) });
  t.hasResourceProperties('AWS::EFS::FileSystem', { ThroughputMode: 'provisioned', ProvisionedThroughputInMibps: 64 });
  t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ EFS_INFERENCE_MODEL_ROOT: '/mnt/ranker', EFS_INFERENCE_RETAINED_VERSIONS: '5' }) } });
  t.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: Match.objectLike({ EFS_INFERENCE_POINTER_CHECK_INTERVAL_MS: '0' }) } });
});

test('automatic backups when asked for', () => {
  expect(onlyResource(synth({ enableAutomaticBackups: true }).t, 'AWS::EFS::FileSystem').Properties.BackupPolicy).toEqual({ Status: 'ENABLED' });
  expect(onlyResource(synth({ enableAutomaticBackups: false }).t, 'AWS::EFS::FileSystem').Properties.BackupPolicy).toEqual({ Status: 'DISABLED' });
});
