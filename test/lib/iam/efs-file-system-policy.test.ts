/**
 * The file system policy EfsModelInference writes, evaluated by an IAM policy engine for NFS clients as EFS builds
 * their requests. EFS enforces only four condition keys for NFS clients ("Using IAM to control access to file
 * systems", https://docs.aws.amazon.com/efs/latest/ug/iam-access-control-nfs-efs.html: aws:SecureTransport,
 * aws:SourceIp, elasticfilesystem:AccessPointArn, elasticfilesystem:AccessedViaMountTarget; "no other condition
 * keys are enforced"), so each request carries those and nothing else.
 */
import { join } from 'node:path';
import { Stack, App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { anonymousPrincipal, decide, OTHER_ACCOUNT, PolicyRequest, ResolvedTemplate, TEST_ENV } from './evaluate';
import { EfsModelInference, ModelSource } from '../../../lib';

const EXAMPLE_MODEL = join(__dirname, '..', '..', '..', 'lib', 'examples', 'inference-model');

let t: ResolvedTemplate;
let fileSystemPolicy: any;
let fileSystemArn: string;
let accessPointArn: string;
let syncRole: string;
let inferenceRole: string;

beforeAll(() => {
  const stack = new Stack(new App(), 'Test', { env: TEST_ENV });
  new EfsModelInference(stack, 'Model', { model: ModelSource.fromDirectory(EXAMPLE_MODEL) });
  t = new ResolvedTemplate(Template.fromStack(stack));
  const fileSystem = t.idOf('AWS::EFS::FileSystem');
  fileSystemArn = t.arn(fileSystem);
  accessPointArn = t.arn(t.idOf('AWS::EFS::AccessPoint'));
  fileSystemPolicy = t.resourcePolicyOf(fileSystem);
  syncRole = t.idOf('AWS::IAM::Role', 'ModelSyncFunctionServiceRole');
  inferenceRole = t.idOf('AWS::IAM::Role', 'ModelInferenceFunctionServiceRole');
});

type Client = 'sync' | 'inference';

/** An NFS client's request as EFS evaluates it: the four keys EFS sets, for the client's access point and TLS. */
function nfs(client: Client | 'anonymous', action: string, options: { tls?: boolean; accessPoint?: string | null } = {}): PolicyRequest {
  const role = client === 'sync' ? syncRole : client === 'inference' ? inferenceRole : undefined;
  return {
    // Lambda mounts with the function's execution role session.
    principal: role ? `arn:aws:sts::${TEST_ENV.account}:assumed-role/${role}/${role}-session` : anonymousPrincipal,
    action: `elasticfilesystem:${action}`,
    resource: fileSystemArn,
    context: {
      'aws:SecureTransport': String(options.tls ?? true),
      'aws:SourceIp': '10.0.0.25',
      // A mount without an access point carries no access point ARN.
      ...(options.accessPoint === null ? {} : { 'elasticfilesystem:AccessPointArn': options.accessPoint ?? accessPointArn }),
      'elasticfilesystem:AccessedViaMountTarget': 'true',
    },
    identityPolicies: role ? t.identityPoliciesOf(role) : undefined,
  };
}

const otherAccessPoint = () => `arn:aws:elasticfilesystem:${TEST_ENV.region}:${TEST_ENV.account}:access-point/fsap-0another0000000`;

test.each([
  ['sync', 'ClientMount', 'Allowed'],
  ['sync', 'ClientWrite', 'Allowed'],
  ['sync', 'ClientRootAccess', 'ExplicitlyDenied'],
  ['inference', 'ClientMount', 'Allowed'],
  ['inference', 'ClientWrite', 'ImplicitlyDenied'],
  ['inference', 'ClientRootAccess', 'ExplicitlyDenied'],
] as const)('the %s role over TLS through its access point: %s is %s', async (client, action, expected) => {
  expect(await decide(fileSystemPolicy, nfs(client, action))).toBe(expected);
});

test.each(['ClientMount', 'ClientWrite', 'ClientRootAccess'])('an anonymous client (no IAM authorization): %s is refused', async (action) => {
  expect(await decide(fileSystemPolicy, nfs('anonymous', action))).not.toBe('Allowed');
});

test.each([
  ['sync', 'ClientMount'], ['sync', 'ClientWrite'], ['inference', 'ClientMount'],
] as const)('without TLS the %s role is refused %s', async (client, action) => {
  expect(await decide(fileSystemPolicy, nfs(client, action, { tls: false }))).toBe('ExplicitlyDenied');
});

test.each([
  ['sync', 'ClientMount'], ['sync', 'ClientWrite'], ['inference', 'ClientMount'], ['inference', 'ClientWrite'],
] as const)('through another access point the %s role is refused %s', async (client, action) => {
  expect(await decide(fileSystemPolicy, nfs(client, action, { accessPoint: otherAccessPoint() }))).not.toBe('Allowed');
});

test.each(['sync', 'inference'] as const)('the %s role mounting the file system root (no access point) is refused', async (client) => {
  expect(await decide(fileSystemPolicy, nfs(client, 'ClientMount', { accessPoint: null }))).toBe('ExplicitlyDenied');
  expect(await decide(fileSystemPolicy, nfs(client, 'ClientWrite', { accessPoint: null }))).not.toBe('Allowed');
});

test('a role of another account is refused, whatever its own policies grant', async () => {
  const grantsAll = [{ name: 'all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'elasticfilesystem:*', Resource: '*' }] } }];
  for (const action of ['ClientMount', 'ClientWrite']) {
    const request = { ...nfs('sync', action), principal: `arn:aws:iam::${OTHER_ACCOUNT}:role/Intruder`, identityPolicies: grantsAll };
    expect(await decide(fileSystemPolicy, request)).not.toBe('Allowed');
  }
});
