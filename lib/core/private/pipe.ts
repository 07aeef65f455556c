import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import { Construct } from 'constructs';

/** What an EventBridge Pipe connects (the L1 parameters beyond source, target and role). */
export interface PipeWiringProps {
  /** What the pipe does. */
  readonly description: string;
  /** What the role is for. */
  readonly roleDescription: string;
  /** Construct id of the role (else `<id>Role`). */
  readonly roleId?: string;
  /** ARN of the source. */
  readonly source: string;
  /** Source parameters (batch size, filters, starting position...). */
  readonly sourceParameters?: pipes.CfnPipe.PipeSourceParametersProperty;
  /** ARN of the target. */
  readonly target: string;
  /** Target parameters (input template, message group...). */
  readonly targetParameters?: pipes.CfnPipe.PipeTargetParametersProperty;
  /** Log configuration. */
  readonly logConfiguration?: pipes.CfnPipe.PipeLogConfigurationProperty;
}

/** A pipe and the role it assumes. Grant the role its source and target permissions before deploying. */
export interface PipeWiring {
  readonly pipe: pipes.CfnPipe;
  readonly role: iam.Role;
}

/**
 * An EventBridge Pipe (L1: aws-cdk-lib has no stable L2) with a role of its own that only the Pipes service of this
 * account may assume (`aws:SourceAccount`, against the confused deputy). The pipe depends on the role, so
 * CloudFormation creates it only once the grants added to the role exist: Pipes checks them at creation.
 */
export function createPipe(scope: Construct, id: string, props: PipeWiringProps): PipeWiring {
  const role = new iam.Role(scope, props.roleId ?? `${id}Role`, {
    assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', {
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } },
    }),
    description: props.roleDescription,
  });
  const pipe = new pipes.CfnPipe(scope, id, {
    roleArn: role.roleArn,
    source: props.source,
    sourceParameters: props.sourceParameters,
    target: props.target,
    targetParameters: props.targetParameters,
    logConfiguration: props.logConfiguration,
    description: props.description,
  });
  pipe.node.addDependency(role);
  return { pipe, role };
}
