/**
 * Every resource policy in every example stack (queues, topics, keys, buckets, file systems), evaluated by an IAM
 * policy engine for the requests nobody should get through: a service principal acting for nobody in particular or
 * for another account's resource (it sets aws:SourceArn and aws:SourceAccount to the resource it acts for, "The
 * confused deputy problem", IAM user guide, https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html),
 * a role of another account that its own account lets do anything, an anonymous caller, and a caller of the account
 * without TLS where the policy's service supports aws:SecureTransport.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { anonymousPrincipal, decide, OTHER_ACCOUNT, PolicyRequest, ResolvedTemplate, TEST_ENV } from './evaluate';
import { EXAMPLE_STACKS } from '../../support/examples';

/** A request against each kind of resource: an action and the ARN it names. */
const PROBES: Record<string, { action: string; resource: (t: ResolvedTemplate, id: string) => string; tls: boolean }> = {
  'AWS::SQS::Queue': { action: 'sqs:SendMessage', resource: (t, id) => t.arn(id), tls: true },
  'AWS::SNS::Topic': { action: 'sns:Publish', resource: (t, id) => t.arn(id), tls: true },
  'AWS::KMS::Key': { action: 'kms:GenerateDataKey', resource: (t, id) => t.arn(id), tls: false },
  'AWS::S3::Bucket': { action: 's3:PutObject', resource: (t, id) => `${t.arn(id)}/some/key`, tls: true },
};

const servicePrincipals = (policy: any): string[] => [...new Set<string>((policy?.Statement ?? [])
  .flatMap((s: any) => [].concat(s.Principal?.Service ?? [])))];

describe.each(Object.keys(EXAMPLE_STACKS))('%s example stack', (name) => {
  const cases: Array<[string, string]> = [];
  let t: ResolvedTemplate;
  beforeAll(() => {
    t = new ResolvedTemplate(Template.fromStack(EXAMPLE_STACKS[name]({ env: TEST_ENV })));
    for (const type of Object.keys(PROBES)) for (const id of t.idsOf(type)) cases.push([type, id]);
  });

  test('no service principal acts for another resource or for nobody, no other account, no anonymous caller, no plain-text caller', async () => {
    expect(cases.length).toBeGreaterThan(0);
    const leaks: string[] = [];
    for (const [type, id] of cases) {
      const policy = t.resourcePolicyOf(id);
      if (!policy) continue;
      const { action, resource, tls } = PROBES[type];
      const arn = resource(t, id);
      const requests: Record<string, PolicyRequest> = {
        anotherAccount: {
          principal: `arn:aws:iam::${OTHER_ACCOUNT}:role/Intruder`,
          action,
          resource: arn,
          context: { 'aws:SecureTransport': 'true' },
          identityPolicies: [{ name: 'all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
        },
        anonymous: { principal: anonymousPrincipal, action, resource: arn, context: { 'aws:SecureTransport': 'true' } },
      };
      for (const principal of servicePrincipals(policy)) {
        requests[`${principal} for nobody`] = { principal, action, resource: arn, context: { 'aws:SecureTransport': 'true' } };
        requests[`${principal} for another account`] = {
          principal,
          action,
          resource: arn,
          context: { 'aws:SecureTransport': 'true', 'aws:SourceArn': `arn:aws:sns:${TEST_ENV.region}:${OTHER_ACCOUNT}:Other`, 'aws:SourceAccount': OTHER_ACCOUNT },
        };
      }
      for (const [what, request] of Object.entries(requests)) {
        const decision = await decide(policy, request);
        if (decision === 'Allowed') leaks.push(`${id}: ${what} → ${decision}`);
      }
      if (tls) {
        const plain = await decide(policy, {
          principal: `arn:aws:iam::${TEST_ENV.account}:role/Caller`,
          action,
          resource: arn,
          context: { 'aws:SecureTransport': 'false' },
          identityPolicies: [{ name: 'all', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } }],
        });
        if (plain !== 'ExplicitlyDenied') leaks.push(`${id}: a caller of the account without TLS → ${plain}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
