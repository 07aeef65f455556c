import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import { Construct } from 'constructs';

/** A table with a stream (and TTL unless told otherwise), a bus, and a role for pipes between them. */
export function outboxParts(scope: Construct, options: { ttl?: boolean } = {}) {
  const table = new dynamodb.Table(scope, 'Table', {
    partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
    stream: dynamodb.StreamViewType.NEW_IMAGE,
    timeToLiveAttribute: options.ttl === false ? undefined : 'expiresAt',
  });
  const bus = new events.EventBus(scope, 'Bus');
  const role = new iam.Role(scope, 'PipeRole', { assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com') });
  return { table, bus, role };
}

/** An L1 pipe from `source` to `target` with the given source parameters. */
export function pipe(
  scope: Construct, id: string, source: string, target: string, sourceParameters: pipes.CfnPipe.PipeSourceParametersProperty, roleArn: string,
) {
  return new pipes.CfnPipe(scope, id, { roleArn, source, target, sourceParameters });
}
