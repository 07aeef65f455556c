/**
 * Evaluates the resource policies a synthesized template holds with an IAM policy engine (@cloud-copilot/iam-simulate),
 * for requests built the way each service builds them: only the condition keys the service sets are in the context,
 * so an absent key behaves as AWS documents (a negated operator such as ArnNotEquals is then true).
 *
 * The template's intrinsics are resolved into concrete names (each resource's logical id stands in for its physical
 * name), in a fixed account and region: the stack under test must be created with {@link TEST_ENV}.
 */
import { runSimulation, anonymousPrincipal, type Simulation } from '@cloud-copilot/iam-simulate';
import { Template } from 'aws-cdk-lib/assertions';

export const TEST_ENV = { account: '111122223333', region: 'us-east-1' } as const;
export const OTHER_ACCOUNT = '444455556666';
export { anonymousPrincipal };

/** Resource types whose policy is a resource of its own: the policy's type and the property naming its targets. */
const POLICY_RESOURCES: Record<string, [string, string]> = {
  'AWS::SQS::Queue': ['AWS::SQS::QueuePolicy', 'Queues'],
  'AWS::SNS::Topic': ['AWS::SNS::TopicPolicy', 'Topics'],
  'AWS::S3::Bucket': ['AWS::S3::BucketPolicy', 'Bucket'],
};

type Resources = Record<string, { Type: string; Properties?: any }>;

/** Concrete values for a template's intrinsics. */
export class ResolvedTemplate {
  private readonly resources: Resources;

  constructor(template: Template) {
    this.resources = template.toJSON().Resources;
  }

  /** The ARN of a resource (what `Fn::GetAtt [id, Arn]` gives), by logical id. */
  public arn(logicalId: string): string {
    const { account, region } = TEST_ENV;
    const type = this.typeOf(logicalId);
    switch (type) {
      case 'AWS::IAM::Role': return `arn:aws:iam::${account}:role/${logicalId}`;
      case 'AWS::SQS::Queue': return `arn:aws:sqs:${region}:${account}:${this.queueName(logicalId)}`;
      case 'AWS::SNS::Topic': return `arn:aws:sns:${region}:${account}:${this.resources[logicalId].Properties?.TopicName ?? logicalId}`;
      case 'AWS::EFS::FileSystem': return `arn:aws:elasticfilesystem:${region}:${account}:file-system/${this.ref(logicalId)}`;
      case 'AWS::EFS::AccessPoint': return `arn:aws:elasticfilesystem:${region}:${account}:access-point/${this.ref(logicalId)}`;
      case 'AWS::Events::Rule': return `arn:aws:events:${region}:${account}:rule/${logicalId}`;
      case 'AWS::Events::EventBus': return `arn:aws:events:${region}:${account}:event-bus/${logicalId}`;
      case 'AWS::KMS::Key': return `arn:aws:kms:${region}:${account}:key/${logicalId}`;
      case 'AWS::Lambda::Function': return `arn:aws:lambda:${region}:${account}:function:${logicalId}`;
      case 'AWS::Pipes::Pipe': return `arn:aws:pipes:${region}:${account}:pipe/${logicalId}`;
      case 'AWS::S3::Bucket': return `arn:aws:s3:::${logicalId.toLowerCase()}`;
      case 'AWS::Logs::LogGroup': return `arn:aws:logs:${region}:${account}:log-group:${logicalId}:*`;
      case 'AWS::DynamoDB::Table': case 'AWS::DynamoDB::GlobalTable': return `arn:aws:dynamodb:${region}:${account}:table/${logicalId}`;
      default: throw new Error(`no ARN form for ${type} (${logicalId})`);
    }
  }

  /** What `Ref` gives for a resource. */
  public ref(logicalId: string): string {
    const { account, region } = TEST_ENV;
    switch (this.typeOf(logicalId)) {
      case 'AWS::SQS::Queue': return `https://sqs.${region}.amazonaws.com/${account}/${this.queueName(logicalId)}`;
      case 'AWS::SNS::Topic': case 'AWS::KMS::Key': case 'AWS::Events::Rule': return this.arn(logicalId);
      case 'AWS::S3::Bucket': return logicalId.toLowerCase();
      case 'AWS::EFS::FileSystem': return `fs-${logicalId.toLowerCase().slice(0, 17)}`;
      case 'AWS::EFS::AccessPoint': return `fsap-${logicalId.toLowerCase().slice(0, 17)}`;
      default: return logicalId;
    }
  }

  /** Logical ids of the resources of `type` whose id starts with `prefix`. */
  public idsOf(type: string, prefix = ''): string[] {
    return Object.keys(this.resources).filter((id) => this.resources[id].Type === type && id.startsWith(prefix));
  }

  /** The one logical id of `type` starting with `prefix`. */
  public idOf(type: string, prefix = ''): string {
    const ids = this.idsOf(type, prefix);
    if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ') || 'none'}`);
    return ids[0];
  }

  public properties(logicalId: string): any {
    return this.resources[logicalId].Properties ?? {};
  }

  /** A template value with every intrinsic replaced by its concrete value. */
  public resolve(value: any): any {
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [key] = keys;
      const arg = value[key];
      switch (key) {
        case 'Ref': return this.pseudo(arg) ?? this.ref(arg);
        case 'Fn::GetAtt': return this.getAtt(arg[0], arg[1]);
        case 'Fn::Join': return (this.resolve(arg[1]) as string[]).join(arg[0]);
        case 'Fn::Select': return this.resolve(arg[1])[Number(this.resolve(arg[0]))];
        case 'Fn::Split': return String(this.resolve(arg[1])).split(arg[0]);
        case 'Fn::If': case 'Fn::Sub': case 'Fn::ImportValue': throw new Error(`${key} is not resolved by this helper`);
        default:
      }
    }
    return Object.fromEntries(keys.map((k) => [k, this.resolve(value[k])]));
  }

  /** The resource policy in force on a resource (queue, topic, key, file system), resolved. */
  public resourcePolicyOf(logicalId: string): any {
    const type = this.typeOf(logicalId);
    if (type === 'AWS::EFS::FileSystem') return this.resolve(this.properties(logicalId).FileSystemPolicy);
    if (type === 'AWS::KMS::Key') return this.resolve(this.properties(logicalId).KeyPolicy);
    const [policyType, listKey] = POLICY_RESOURCES[type] ?? [];
    if (!policyType) throw new Error(`no resource policy form for ${type}`);
    const target = this.ref(logicalId);
    const statements = this.idsOf(policyType)
      .filter((id) => ([] as string[]).concat(this.resolve(this.properties(id)[listKey!])).includes(target))
      .flatMap((id) => this.resolve(this.properties(id).PolicyDocument).Statement);
    return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
  }

  /** The inline identity policies attached to a role (AWS::IAM::Policy resources naming it), resolved. */
  public identityPoliciesOf(roleId: string): { name: string; policy: any }[] {
    return this.idsOf('AWS::IAM::Policy')
      .filter((id) => (this.properties(id).Roles ?? []).some((r: any) => r?.Ref === roleId))
      .map((id) => ({ name: id, policy: this.resolve(this.properties(id).PolicyDocument) }));
  }

  private getAtt(logicalId: string, attribute: string): string {
    if (attribute === 'Arn') return this.arn(logicalId);
    if (attribute === 'QueueName') return this.queueName(logicalId);
    if (attribute === 'TopicName') return this.resources[logicalId].Properties?.TopicName ?? logicalId;
    if (attribute === 'FileSystemId') return this.ref(logicalId);
    if (attribute === 'AccessPointId') return this.ref(logicalId);
    throw new Error(`Fn::GetAtt ${logicalId}.${attribute} is not resolved by this helper`);
  }

  private pseudo(name: string): string | undefined {
    const values: Record<string, string> = {
      'AWS::AccountId': TEST_ENV.account, 'AWS::Region': TEST_ENV.region, 'AWS::Partition': 'aws', 'AWS::URLSuffix': 'amazonaws.com',
    };
    return values[name];
  }

  private queueName(logicalId: string): string {
    const name = this.resources[logicalId].Properties?.QueueName;
    return name === undefined ? logicalId : this.resolve(name);
  }

  private typeOf(logicalId: string): string {
    const resource = this.resources[logicalId];
    if (!resource) throw new Error(`no resource ${logicalId} in the template`);
    return resource.Type;
  }
}

/** One request against a resource. */
export interface PolicyRequest {
  /** An ARN (role, account root), a service principal (`sns.amazonaws.com`), or {@link anonymousPrincipal}. */
  readonly principal: string | typeof anonymousPrincipal;
  readonly action: string;
  /** The ARN the request names. */
  readonly resource: string;
  /** Exactly the condition keys the service sets for this request. */
  readonly context: Record<string, string | string[]>;
  /** The caller's identity policies (for a role of the template: {@link ResolvedTemplate.identityPoliciesOf}). */
  readonly identityPolicies?: { name: string; policy: any }[];
  /** The account owning the resource. */
  readonly resourceAccount?: string;
}

export type Decision = 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';

/** The engine's decision for a request under a resource policy; throws on requests the engine finds malformed. */
export async function decide(resourcePolicy: any, request: PolicyRequest): Promise<Decision> {
  const simulation: Simulation = {
    request: {
      principal: request.principal,
      action: request.action,
      resource: { resource: request.resource, accountId: request.resourceAccount ?? TEST_ENV.account },
      contextVariables: request.context,
    },
    identityPolicies: request.identityPolicies ?? [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
  };
  const response = await runSimulation(simulation, {});
  if (response.resultType === 'error') throw new Error(`the simulation was refused: ${JSON.stringify(response.errors)}`);
  return response.overallResult as Decision;
}
