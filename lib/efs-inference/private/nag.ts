import { Stack, Validations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The string cdk-nag names a resolved CloudFormation value by in its finding ids (`<Logical.Arn>` for GetAtt,
 * `<Logical>` for Ref, joins concatenated): what an acknowledgement of one specific wildcard must name.
 */
export function nagResourceName(scope: IConstruct, value: string): string {
  const visit = (node: unknown): string => {
    if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
    const ref = node as Record<string, any>;
    if (ref?.['Fn::Join']) return (ref['Fn::Join'][1] as unknown[]).map(visit).join(ref['Fn::Join'][0]);
    if (ref?.['Fn::GetAtt']) return `<${visit(ref['Fn::GetAtt'][0])}.${visit(ref['Fn::GetAtt'][1])}>`;
    if (ref?.Ref) return `<${visit(ref.Ref)}>`;
    return JSON.stringify(node);
  };
  return visit(Stack.of(scope).resolve(value));
}

/**
 * Acknowledges one AwsSolutions-IAM5 wildcard resource on `scope` (a role or policy), with the reason. aws-cdk-lib
 * refuses acknowledgement ids with a second `::` (an ARN with `<AWS::Partition>` in it, as for an imported bucket):
 * those stay reported, for the app to acknowledge as it sees fit.
 */
export function acknowledgeWildcardResource(scope: IConstruct, resource: string, reason: string): void {
  const id = `AwsSolutions-IAM5[Resource::${nagResourceName(scope, resource)}]`;
  if (id.split('::').length === 2) Validations.of(scope).acknowledge({ id, reason });
}
