/**
 * Every configuration EfsModelInference refuses, each next to the nearest one it accepts: problems are collected and
 * thrown once, each with a stable id.
 */
import { mkdirSync, mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as efs from 'aws-cdk-lib/aws-efs';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { EfsModelInference, EfsModelInferenceProps, InferenceHandler, ModelSource, PatternErrors } from '../../../lib';
import { FUNCTION_URL_UNAVAILABLE_REGIONS, FUNCTION_URLS } from '../../../lib/core/private/limits';
import * as layer from '../../../lib/efs-inference/private/onnx-runtime-layer';
import { newStack } from '../../support/cdk';

const EXAMPLE_MODEL = join(__dirname, '..', '..', '..', 'lib', 'examples', 'inference-model');
const model = ModelSource.fromDirectory(EXAMPLE_MODEL);
const isolatedVpc = (s: Stack) => new ec2.Vpc(s, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'I', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
const withS3Endpoint = (vpc: ec2.Vpc) => {
  vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  return vpc;
};
const build = (props: Partial<EfsModelInferenceProps> = {}) => (s: Stack) => new EfsModelInference(s, 'Model', { model, ...props });

/** A directory of `count` small files, or one sparse file of `bytes`. */
function directory(options: { count?: number; bytes?: number; name?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), 'model-dir-'));
  for (let i = 0; i < (options.count ?? 0); i++) writeFileSync(join(dir, `part-${i}.bin`), String(i));
  if (options.bytes !== undefined) {
    const file = join(dir, options.name ?? 'blob.bin');
    writeFileSync(file, '');
    truncateSync(file, options.bytes);
  }
  return dir;
}

function problemIds(create: (s: Stack) => unknown): string[] {
  try {
    create(newStack());
  } catch (error) {
    if (!PatternErrors.isPatternValidationError(error)) throw error;
    return PatternErrors.problemsOf(error).map((p) => p.id);
  }
  return [];
}

const refused: Array<[string, (s: Stack) => unknown, string, RegExp]> = [
  ['subnets without a VPC', build({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }), 'EfsModelInference.SubnetsWithoutVpc', /vpcSubnets was given without vpc/],
  [
    'an existing file system without its VPC',
    (s) => build({ fileSystem: efs.FileSystem.fromFileSystemAttributes(s, 'Fs', { fileSystemId: 'fs-1', securityGroup: ec2.SecurityGroup.fromSecurityGroupId(s, 'Sg', 'sg-1') }) })(s),
    'EfsModelInference.FileSystemWithoutVpc', /an existing fileSystem was given without its vpc/,
  ],
  [
    'file system settings with an existing file system',
    (s) => {
      const vpc = withS3Endpoint(isolatedVpc(s));
      return build({ vpc, fileSystem: new efs.FileSystem(s, 'Fs', { vpc }), removalPolicy: RemovalPolicy.RETAIN })(s);
    },
    'EfsModelInference.ExistingFileSystemSettings', /removalPolicy was given with an existing fileSystem/,
  ],
  [
    'automatic backups with an existing file system',
    (s) => {
      const vpc = withS3Endpoint(isolatedVpc(s));
      return build({ vpc, fileSystem: new efs.FileSystem(s, 'Fs', { vpc }), enableAutomaticBackups: false })(s);
    },
    'EfsModelInference.ExistingFileSystemSettings', /enableAutomaticBackups was given with an existing fileSystem/,
  ],
  ['provisioned throughput mode without a throughput', build({ throughputMode: efs.ThroughputMode.PROVISIONED }), 'EfsModelInference.ProvisionedThroughput', /throughputMode PROVISIONED needs provisionedThroughput/],
  ['a throughput without provisioned mode', build({ provisionedThroughput: Size.mebibytes(10) }), 'EfsModelInference.ProvisionedThroughput', /provisionedThroughput was given without throughputMode PROVISIONED/],
  ['a mount path outside /mnt', build({ mountPath: '/opt/models' }), 'EfsModelInference.MountPath', /mountPath "\/opt\/models" is not a directory directly under \/mnt/],
  ['a nested mount path', build({ mountPath: '/mnt/models/v1' }), 'EfsModelInference.MountPath', /mountPath "\/mnt\/models\/v1"/],
  ['a mount path over 160 characters', build({ mountPath: `/mnt/${'m'.repeat(156)}` }), 'EfsModelInference.MountPath', /at most 160 characters/],
  ['memory beyond the Lambda maximum', build({ memorySize: 10_241 }), 'Function.Memory', /memorySize 10241 MB is outside Lambda's 128\.\.10,240 MB/],
  ['a timeout beyond 15 minutes', build({ timeout: Duration.seconds(901) }), 'Function.Timeout', /timeout 901 s is outside/],
  ['provisioned concurrency above reserved', build({ reservedConcurrentExecutions: 5, provisionedConcurrentExecutions: 6 }), 'Function.ProvisionedAboveReserved', /provisioned concurrency 6 exceeds reserved concurrency 5/],
  ['provisioned concurrency on a stopped function', build({ reservedConcurrentExecutions: 0, provisionedConcurrentExecutions: 1 }), 'EfsModelInference.ProvisionedWhileStopped', /reservedConcurrentExecutions 0/],
  ['a sync timeout under a minute', build({ syncTimeout: Duration.seconds(59) }), 'EfsModelInference.SyncTimeout', /syncTimeout 59 s is outside 60\.\.900 s/],
  ['a sync timeout beyond 15 minutes', build({ syncTimeout: Duration.minutes(16) }), 'EfsModelInference.SyncTimeout', /syncTimeout 960 s/],
  ['keeping only the current version', build({ retainedVersions: 1 }), 'EfsModelInference.RetainedVersions', /retainedVersions 1 is not an integer ≥ 2/],
  ['a pointer check interval beyond 15 minutes', build({ pointerCheckInterval: Duration.minutes(16) }), 'EfsModelInference.PointerCheckInterval', /pointerCheckInterval 960000 ms/],
  ['an existing VPC without a route to S3', (s) => build({ vpc: isolatedVpc(s) })(s), 'EfsModelInference.NoRouteToS3', /have no route to S3 \(no S3 gateway endpoint on their route table, no S3 interface endpoint, no NAT route\)/],
  [
    'an S3 gateway endpoint on other subnets only',
    (s) => {
      const vpc = new ec2.Vpc(s, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'A', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, { name: 'B', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
      vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [{ subnetGroupName: 'A' }] });
      return build({ vpc, vpcSubnets: { subnetGroupName: 'B' } })(s);
    },
    'EfsModelInference.NoRouteToS3', /subnets Test\/Vpc\/BSubnet1, Test\/Vpc\/BSubnet2/,
  ],
  ['public subnets', (s) => build({ vpc: withS3Endpoint(new ec2.Vpc(s, 'Vpc')), vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC } })(s), 'EfsModelInference.PublicSubnets', /include public subnets/],
  ['a subnet selection that selects nothing', (s) => build({ vpc: withS3Endpoint(isolatedVpc(s)), vpcSubnets: { subnetGroupName: 'I', availabilityZones: ['nowhere-1a'] } })(s), 'EfsModelInference.Subnets', /selects no subnet/],
  ['a model directory that does not exist', build({ model: ModelSource.fromDirectory('/no/such/model') }), 'EfsModelInference.ModelDirectory', /model directory \/no\/such\/model does not exist or is not a directory/],
  ['an empty model directory', build({ model: ModelSource.fromDirectory(directory({})) }), 'EfsModelInference.ModelDirectory', /holds no files/],
  ['more than 100 model files', build({ model: ModelSource.fromDirectory(directory({ count: 101 })) }), 'EfsModelInference.ModelDirectory', /holds 101 files, more than the 100/],
  ['a model directory without the ONNX model', build({ model: ModelSource.fromDirectory(directory({ count: 1 })) }), 'EfsModelInference.ModelFileMissing', /the model directory has no model\.onnx \(it holds part-0\.bin\)/],
  ['an S3 prefix without a trailing slash', (s) => build({ model: ModelSource.fromBucket(new s3.Bucket(s, 'B'), 'models/ranker') })(s), 'EfsModelInference.ModelPrefix', /model prefix "models\/ranker" must be empty or end in "\/"/],
  ['an S3 prefix starting with a slash', (s) => build({ model: ModelSource.fromBucket(new s3.Bucket(s, 'B'), '/models/') })(s), 'EfsModelInference.ModelPrefix', /and not start with "\/"/],
  [
    'function code and layers over 250 MB unzipped',
    build({ handler: InferenceHandler.custom({ code: lambda.Code.fromAsset(directory({ bytes: 262_144_001 })), handler: 'app.handler', runtime: lambda.Runtime.PYTHON_3_13 }) }),
    'EfsModelInference.UnzippedSize', /code and layers unzip to 250\.0 MiB \(the function code 250\.0 MiB\), above Lambda's 250\.0 MiB \(250 MB\) limit/,
  ],
];

test.each(refused)('refuses %s', (_what, create, id, message) => {
  expect(problemIds(create)).toContain(id);
  expect(() => create(newStack())).toThrow(message);
});

const accepted: Array<[string, (s: Stack) => unknown]> = [
  ['provisioned throughput with its mode (1 MiB/s, the least)', build({ throughputMode: efs.ThroughputMode.PROVISIONED, provisionedThroughput: Size.mebibytes(1) })],
  ['a mount path of 160 characters', build({ mountPath: `/mnt/${'m'.repeat(155)}` })],
  ['the Lambda maximum memory and timeout', build({ memorySize: 10_240, timeout: Duration.seconds(900) })],
  ['provisioned concurrency equal to reserved', build({ reservedConcurrentExecutions: 5, provisionedConcurrentExecutions: 5 })],
  ['sync timeouts of 1 and 15 minutes', (s) => [build({ syncTimeout: Duration.minutes(1) })(s), new EfsModelInference(s, 'Other', { model, syncTimeout: Duration.minutes(15) })]],
  ['two retained versions and a 15-minute pointer check', build({ retainedVersions: 2, pointerCheckInterval: Duration.minutes(15) })],
  ['an existing VPC with an S3 gateway endpoint', (s) => build({ vpc: withS3Endpoint(isolatedVpc(s)) })(s)],
  ['an existing VPC with an S3 interface endpoint', (s) => {
    const vpc = isolatedVpc(s);
    vpc.addInterfaceEndpoint('S3', { service: ec2.InterfaceVpcEndpointAwsService.S3 });
    return build({ vpc })(s);
  }],
  ['an existing VPC whose private subnets route through a NAT gateway', (s) => build({ vpc: new ec2.Vpc(s, 'Vpc', { natGateways: 1 }) })(s)],
  ['100 model files with a model.onnx among them', build({ model: ModelSource.fromDirectory(copyWithModel(directory({ count: 98 }))) })],
  ['a model file at another path, named', build({ model: ModelSource.fromDirectory(directory({ bytes: 10, name: 'net.onnx' })), handler: InferenceHandler.onnx({ modelFile: 'net.onnx' }) })],
  ['an S3 prefix ending in a slash, and the bucket root', (s) => {
    const bucket = new s3.Bucket(s, 'B');
    return [build({ model: ModelSource.fromBucket(bucket, 'models/') })(s), new EfsModelInference(s, 'Root', { model: ModelSource.fromBucket(bucket, '') })];
  }],
  [
    'function code of exactly 250 MB unzipped',
    build({ handler: InferenceHandler.custom({ code: lambda.Code.fromAsset(directory({ bytes: 262_144_000 })), handler: 'app.handler', runtime: lambda.Runtime.PYTHON_3_13 }) }),
  ],
];

function copyWithModel(dir: string): string {
  mkdirSync(join(dir, 'nested'));
  writeFileSync(join(dir, 'nested', 'readme.txt'), 'nested files count too');
  writeFileSync(join(dir, 'model.onnx'), 'model');
  return dir;
}

test.each(accepted)('accepts %s', (_what, create) => {
  expect(problemIds(create)).toEqual([]);
});

test('every problem of one configuration is reported in one error', () => {
  expect(problemIds(build({ mountPath: '/tmp', memorySize: 64, retainedVersions: 0, syncTimeout: Duration.seconds(1) })).sort()).toEqual(
    ['EfsModelInference.MountPath', 'EfsModelInference.RetainedVersions', 'EfsModelInference.SyncTimeout', 'Function.Memory'],
  );
});

test('an onnxruntime that cannot be assembled is a problem naming the fix, not a crash', () => {
  const spy = jest.spyOn(layer, 'assembleOnnxRuntimeLayer').mockImplementation(() => {
    throw new layer.OnnxRuntimeUnavailableError('onnxruntime-node is not installed where the app runs');
  });
  try {
    expect(() => build()(newStack())).toThrow(
      /the onnxruntime layer cannot be assembled: onnxruntime-node is not installed where the app runs\. Fix: install onnxruntime-node in the app, or pass onnxRuntimeLayer\. \(EfsModelInference\.OnnxRuntime\)/,
    );
  } finally {
    spy.mockRestore();
  }
});

describe('functionUrl in a region without Lambda function URLs', () => {
  const inRegion = (region: string) => new Stack(new App(), 'S', { env: { account: '123456789012', region } });
  const ids = (region: string | undefined, props: Partial<EfsModelInferenceProps>) => {
    const stack = region ? inRegion(region) : newStack();
    try {
      new EfsModelInference(stack, 'Model', { model, ...props });
    } catch (error) {
      if (!PatternErrors.isPatternValidationError(error)) throw error;
      return PatternErrors.problemsOf(error).map((p) => p.id);
    }
    return [];
  };

  test.each([
    ['ca-west-1', 'CloudFormation has no AWS::Lambda::Url there'],
    ['us-gov-west-1', 'CloudFormation has no AWS::Lambda::Url there'],
    ['eu-south-2', 'the Lambda guide lists it without function URLs'],
  ])('refused in %s (%s), with the fix', (region) => {
    expect(ids(region, { functionUrl: true })).toEqual(['EfsModelInference.FunctionUrlUnavailable']);
    expect(() => new EfsModelInference(inRegion(region), 'Model', { model, functionUrl: true })).toThrow(
      new RegExp(`which region ${region} does not offer.*Fix: deploy to a region with function URLs, or drop functionUrl`),
    );
  });

  test('accepted where function URLs exist, without a function URL anywhere, and in an environment-agnostic stack', () => {
    expect(ids('eu-central-1', { functionUrl: true })).toEqual([]);
    expect(ids('ca-west-1', { functionUrl: false })).toEqual([]);
    expect(ids('ca-west-1', {})).toEqual([]);
    expect(ids(undefined, { functionUrl: true })).toEqual([]);
  });

  test("the list holds CloudFormation's gaps and the Lambda guide's, and no region twice", () => {
    expect(FUNCTION_URL_UNAVAILABLE_REGIONS).toEqual(expect.arrayContaining([...FUNCTION_URLS.cloudFormationGaps, ...FUNCTION_URLS.documentedGaps]));
    expect(new Set(FUNCTION_URL_UNAVAILABLE_REGIONS).size).toBe(FUNCTION_URL_UNAVAILABLE_REGIONS.length);
  });
});

describe('a model bucket in another region than the stack', () => {
  const inRegion = (region: string) => new Stack(new App(), 'S', { env: { account: '123456789012', region } });
  const bucketIn = (s: Stack, region: string) => s3.Bucket.fromBucketAttributes(s, 'B', { bucketName: 'models', region });
  const ids = (stack: Stack, props: (s: Stack) => Partial<EfsModelInferenceProps>) => {
    try {
      new EfsModelInference(stack, 'Model', { model, ...props(stack) });
    } catch (error) {
      if (!PatternErrors.isPatternValidationError(error)) throw error;
      return PatternErrors.problemsOf(error).map((p) => p.id);
    }
    return [];
  };
  const fromBucketIn = (region: string) => (s: Stack) => ({ model: ModelSource.fromBucket(bucketIn(s, region), 'models/', { syncOnPublish: false }) });

  test("refused with the construct's VPC (S3 through a gateway endpoint only), naming the fix", () => {
    expect(ids(inRegion('eu-west-1'), fromBucketIn('us-east-1'))).toEqual(['EfsModelInference.BucketInOtherRegion']);
    const stack = inRegion('eu-west-1');
    expect(() => new EfsModelInference(stack, 'Model', fromBucketIn('us-east-1')(stack) as EfsModelInferenceProps)).toThrow(
      /the model bucket is in us-east-1, the stack in eu-west-1: an S3 gateway endpoint reaches buckets of its own region only.*Fix: copy the model to a bucket in eu-west-1/,
    );
  });

  test('refused with a VPC of the app whose subnets reach S3 through a gateway endpoint only', () => {
    expect(ids(inRegion('eu-west-1'), (s) => ({ ...fromBucketIn('us-east-1')(s), vpc: withS3Endpoint(isolatedVpc(s)) }))).toEqual(['EfsModelInference.BucketInOtherRegion']);
  });

  test('accepted in the same region, through a NAT gateway, and when either region is unresolved', () => {
    expect(ids(inRegion('eu-west-1'), fromBucketIn('eu-west-1'))).toEqual([]);
    expect(ids(inRegion('eu-west-1'), (s) => ({ ...fromBucketIn('us-east-1')(s), vpc: new ec2.Vpc(s, 'Vpc', { natGateways: 1 }) }))).toEqual([]);
    expect(ids(newStack(), fromBucketIn('us-east-1'))).toEqual([]);
    expect(ids(inRegion('eu-west-1'), (s) => ({ model: ModelSource.fromBucket(s3.Bucket.fromBucketName(s, 'B', 'models'), 'models/', { syncOnPublish: false }) }))).toEqual([]);
  });

  test('an imported VPC cannot tell: a warning', () => {
    const stack = inRegion('eu-west-1');
    new EfsModelInference(stack, 'Model', {
      ...fromBucketIn('us-east-1')(stack),
      vpc: ec2.Vpc.fromVpcAttributes(stack, 'Imported', { vpcId: 'vpc-1', availabilityZones: ['eu-west-1a'], isolatedSubnetIds: ['subnet-1'], isolatedSubnetRouteTableIds: ['rtb-1'] }),
    });
    Annotations.fromStack(stack).hasWarning('/S/Model', Match.stringLikeRegexp('the model bucket is in us-east-1, the stack in eu-west-1.*cannot see whether'));
  });
});

describe('an S3 endpoint policy on the functions\' subnets', () => {
  const policyWarnings = (stack: Stack) =>
    Annotations.fromStack(stack).findWarning('*', Match.stringLikeRegexp('EfsModelInference.S3EndpointPolicy'));

  test('warned, naming the endpoint, CloudFormation\'s response bucket of the region, and the fix', () => {
    const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
    const vpc = isolatedVpc(stack);
    const endpoint = vpc.addGatewayEndpoint('S3', { service: ec2.GatewayVpcEndpointAwsService.S3 });
    endpoint.addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: ['arn:aws:s3:::my-models/*'] }));
    new EfsModelInference(stack, 'Model', { model, vpc });
    const found = policyWarnings(stack);
    expect(found).toHaveLength(1);
    expect(String(found[0].entry.data)).toMatch(
      /S3 endpoint S\/Vpc\/S3 has an endpoint policy.*s3:PutObject on arn:aws:s3:::cloudformation-custom-resource-response-euwest1\/\*.*Add those statements to the endpoint policy/,
    );
  });

  test('no warning for an endpoint without a policy, nor for a policy on an endpoint serving other subnets', () => {
    const plain = newStack();
    new EfsModelInference(plain, 'Model', { model, vpc: withS3Endpoint(isolatedVpc(plain)) });
    expect(policyWarnings(plain)).toEqual([]);

    const elsewhere = newStack();
    const vpc = new ec2.Vpc(elsewhere, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'A', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, { name: 'B', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    vpc.addGatewayEndpoint('S3A', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [{ subnetGroupName: 'A' }] })
      .addToPolicy(new iam.PolicyStatement({ principals: [new iam.AnyPrincipal()], actions: ['s3:GetObject'], resources: ['*'] }));
    vpc.addGatewayEndpoint('S3B', { service: ec2.GatewayVpcEndpointAwsService.S3, subnets: [{ subnetGroupName: 'B' }] });
    new EfsModelInference(elsewhere, 'Model', { model, vpc, vpcSubnets: { subnetGroupName: 'B' } });
    expect(policyWarnings(elsewhere)).toEqual([]);
  });
});
