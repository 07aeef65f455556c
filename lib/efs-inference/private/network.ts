import { Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct, IConstruct } from 'constructs';
import { Problems, warn } from '../../core/private/validation';

/** The VPC the functions and mount targets use, and what the sync function's S3 traffic depends on. */
export interface InferenceNetwork {
  readonly vpc: ec2.IVpc;
  readonly subnets: ec2.SubnetSelection;
  /** The S3 endpoint found or created (the model sync must not run before its route exists). */
  readonly s3Endpoint?: IConstruct;
  /**
   * Whether the functions' subnets reach S3 in other regions: only through a route leaving the VPC (NAT gateway,
   * transit gateway, instance), since a gateway endpoint serves the buckets of its own region only ("Gateway endpoints
   * for Amazon S3", Considerations, https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html).
   * Undefined when synth cannot tell (an imported VPC).
   */
  readonly reachesOtherRegions?: boolean;
}

/**
 * CloudFormation's bucket for custom resource responses: the sync function answers through a presigned URL into it,
 * so an S3 endpoint policy must let it put objects there ("Setting up VPC endpoints for AWS CloudFormation",
 * https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-vpce-bucketnames.html: the region without dashes).
 */
function responseBucketArn(scope: IConstruct): string {
  const region = Stack.of(scope).region;
  return `arn:aws:s3:::cloudformation-custom-resource-response-${Token.isUnresolved(region) ? '<region without dashes>' : region.replace(/-/g, '')}/*`;
}

/**
 * A new VPC: isolated subnets in two zones, an S3 gateway endpoint (the sync function reads the model and answers
 * CloudFormation through it), no NAT gateway, flow logs into a log group kept one month.
 */
export function createVpc(scope: Construct): InferenceNetwork {
  const vpc = new ec2.Vpc(scope, 'Vpc', {
    maxAzs: 2,
    natGateways: 0,
    subnetConfiguration: [{ name: 'Isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
    // Restricting the default security group takes a custom resource (a Lambda function of its own); nothing here
    // uses that group, every resource gets its own.
    restrictDefaultSecurityGroup: false,
  });
  vpc.addFlowLog('FlowLog', {
    destination: ec2.FlowLogDestination.toCloudWatchLogs(new logs.LogGroup(scope, 'FlowLogGroup', { retention: logs.RetentionDays.ONE_MONTH })),
  });
  const s3Endpoint = vpc.addGatewayEndpoint('S3Endpoint', { service: ec2.GatewayVpcEndpointAwsService.S3 });
  return { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, s3Endpoint, reachesOtherRegions: false };
}

/**
 * An existing VPC, checked: the selected subnets exist and are not public (Lambda gives functions there no public
 * address), and when the VPC is defined in the app, every selected subnet reaches S3 without the internet: an S3
 * gateway endpoint on its route table, an S3 interface endpoint in the VPC, or a default route through a NAT
 * gateway, transit gateway or instance. An imported VPC cannot be inspected: a warning says so.
 */
export function existingVpc(scope: Construct, vpc: ec2.IVpc, selection: ec2.SubnetSelection | undefined, problems: Problems): InferenceNetwork {
  const subnets = selection ?? {};
  let selected: ec2.ISubnet[] = [];
  try {
    selected = vpc.selectSubnets(subnets).subnets;
  } catch (error) {
    problems.add('EfsModelInference.Subnets', `the subnets cannot be selected: ${(error as Error).message}`, 'pass vpcSubnets that select subnets of the VPC');
    return { vpc, subnets };
  }
  if (!problems.check(selected.length > 0, 'EfsModelInference.Subnets', 'vpcSubnets selects no subnet of the VPC', 'select at least one private or isolated subnet (one per zone is best)')) {
    return { vpc, subnets };
  }
  const publicIds = new Set(vpc.publicSubnets.map((s) => s.subnetId));
  const publicOnes = selected.filter((s) => publicIds.has(s.subnetId));
  problems.check(
    publicOnes.length === 0, 'EfsModelInference.PublicSubnets',
    `the selected subnets include public subnets (${publicOnes.map((s) => s.node.path).join(', ')}), where Lambda functions get no public address`,
    'select private or isolated subnets (vpcSubnets: { subnetType: SubnetType.PRIVATE_ISOLATED })',
  );
  if (!(vpc.node.defaultChild instanceof ec2.CfnVPC)) {
    warn(scope, 'EfsModelInference.UncheckedVpcRoutes',
      `VPC ${vpc.vpcId} is imported, so synth cannot check that the sync function reaches S3 from its subnets: give them an S3 ` +
      'gateway endpoint (or an interface endpoint, or a NAT route) whose endpoint policy, if any, allows s3:GetObject on the model\'s objects ' +
      `and s3:PutObject on ${responseBucketArn(scope)} (CloudFormation's response bucket), or the deploy waits for the model until the ` +
      'custom resource times out');
    return { vpc, subnets };
  }
  const endpoints = s3Endpoints(vpc);
  const unreachable = selected.filter((subnet) => !reachesS3(subnet, endpoints));
  problems.check(
    unreachable.length === 0, 'EfsModelInference.NoRouteToS3',
    `subnets ${unreachable.map((s) => s.node.path).join(', ')} of VPC ${vpc.node.path} have no route to S3 (no S3 gateway endpoint on their ` +
      'route table, no S3 interface endpoint, no NAT route): the model sync could not read the model or answer CloudFormation',
    "add one: vpc.addGatewayEndpoint('S3', { service: GatewayVpcEndpointAwsService.S3 }) (free, no NAT needed)",
  );
  const serving = endpoints.filter((e) => selected.some((subnet) => serves(e, subnet)));
  // aws-cdk-lib's endpoints hold their policy in a token that resolves to undefined until a statement is added.
  const withPolicy = serving.filter((e) => Stack.of(e.construct).resolve(e.construct.policyDocument) !== undefined);
  if (withPolicy.length > 0) {
    // The policy is the user's to write and synth cannot evaluate it for every request the sync makes: a warning.
    warn(scope, 'EfsModelInference.S3EndpointPolicy',
      `S3 endpoint ${withPolicy.map((e) => (e.construct.node.scope ?? e.construct).node.path).join(', ')} has an endpoint policy, which applies to the model sync's S3 ` +
      'requests: it must allow s3:GetObject on the model\'s objects (the bucket and prefix of ModelSource.fromBucket, or the CDK assets bucket ' +
      `for ModelSource.fromDirectory) and s3:PutObject on ${responseBucketArn(scope)}, CloudFormation's response bucket ` +
      '(https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cfn-vpce-bucketnames.html); otherwise the deploy waits for the ' +
      'model until the custom resource times out and fails. Add those statements to the endpoint policy, or use an endpoint without one');
  }
  return {
    vpc,
    subnets,
    s3Endpoint: endpoints[0]?.construct,
    reachesOtherRegions: selected.every(routesBeyondVpc),
  };
}

/**
 * A model bucket in another region than the stack is reached only through a route leaving the VPC: refused where the
 * subnets have none (the construct's own VPC never has), a warning where synth cannot tell (an imported VPC). An
 * unresolved region on either side is not judged.
 */
export function checkBucketRegion(problems: Problems, scope: IConstruct, source: { bucketRegion?: string }, network: InferenceNetwork): void {
  const stackRegion = Stack.of(scope).region;
  const bucketRegion = source.bucketRegion;
  if (bucketRegion === undefined || Token.isUnresolved(stackRegion) || bucketRegion === stackRegion || network.reachesOtherRegions) return;
  const problem = `the model bucket is in ${bucketRegion}, the stack in ${stackRegion}: an S3 gateway endpoint reaches buckets of its own region ` +
    'only (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html, Considerations)';
  const fix = `copy the model to a bucket in ${stackRegion} (S3 replication keeps it there), or pass a vpc whose subnets route through a NAT gateway`;
  if (network.reachesOtherRegions === false) {
    problems.add('EfsModelInference.BucketInOtherRegion', `${problem}, and the functions' subnets have no other way out`, fix);
  } else {
    warn(scope, 'EfsModelInference.BucketInOtherRegion', `${problem}; synth cannot see whether the imported VPC's subnets route elsewhere. ${fix}`);
  }
}

interface S3Endpoint {
  readonly construct: ec2.CfnVPCEndpoint;
  readonly gateway: boolean;
  readonly routeTableIds: string[];
}

/** S3 endpoints of `vpc` anywhere in the app. */
function s3Endpoints(vpc: ec2.IVpc): S3Endpoint[] {
  const stack = Stack.of(vpc);
  const s3Service = JSON.stringify(stack.resolve(ec2.GatewayVpcEndpointAwsService.S3.name));
  const found: S3Endpoint[] = [];
  for (const c of vpc.node.root.node.findAll()) {
    if (!(c instanceof ec2.CfnVPCEndpoint) || c.vpcId !== vpc.vpcId) continue;
    const service = JSON.stringify(Stack.of(c).resolve(c.serviceName));
    if (service !== s3Service && !/^"com\.amazonaws\.[a-z0-9-]+\.s3"$/.test(service)) continue;
    const gateway = (c.vpcEndpointType ?? 'Gateway') === 'Gateway';
    found.push({ construct: c, gateway, routeTableIds: Token.isUnresolved(c.routeTableIds) ? [] : (c.routeTableIds ?? []) });
  }
  return found;
}

/** Whether `endpoint` carries `subnet`'s S3 traffic: an interface endpoint any subnet's, a gateway endpoint its route tables'. */
function serves(endpoint: S3Endpoint, subnet: ec2.ISubnet): boolean {
  return !endpoint.gateway || endpoint.routeTableIds.includes(subnet.routeTable.routeTableId);
}

function reachesS3(subnet: ec2.ISubnet, endpoints: S3Endpoint[]): boolean {
  return endpoints.some((e) => serves(e, subnet)) || routesBeyondVpc(subnet);
}

/** A default route through something other than an internet gateway (a Lambda interface has no public address). */
function routesBeyondVpc(subnet: ec2.ISubnet): boolean {
  return subnet.node.findAll().some((c) =>
    c instanceof ec2.CfnRoute && c.destinationCidrBlock === '0.0.0.0/0' &&
    (c.natGatewayId !== undefined || c.transitGatewayId !== undefined || c.instanceId !== undefined || c.networkInterfaceId !== undefined));
}
