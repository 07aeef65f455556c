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
  return { vpc, subnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED }, s3Endpoint };
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
      'gateway endpoint (or an interface endpoint, or a NAT route), or the deploy waits for the model until the custom resource times out');
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
  return { vpc, subnets, s3Endpoint: endpoints[0]?.construct };
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

function reachesS3(subnet: ec2.ISubnet, endpoints: S3Endpoint[]): boolean {
  if (endpoints.some((e) => !e.gateway || e.routeTableIds.includes(subnet.routeTable.routeTableId))) return true;
  // A default route through something other than an internet gateway (a Lambda interface has no public address).
  return subnet.node.findAll().some((c) =>
    c instanceof ec2.CfnRoute && c.destinationCidrBlock === '0.0.0.0/0' &&
    (c.natGatewayId !== undefined || c.transitGatewayId !== undefined || c.instanceId !== undefined || c.networkInterfaceId !== undefined));
}
