import { AppTemplate, TemplateResource } from './template';
import { isPlainObject, listValue, numberValue, stringValue, tryOr } from './values';

export const SECURITY_GROUP = 'AWS::EC2::SecurityGroup';

/** One ingress rule of a security group, from its inline list or an `AWS::EC2::SecurityGroupIngress`. */
export interface IngressRule {
  readonly owner: TemplateResource;
  readonly properties: Record<string, unknown>;
}

/** The ingress rules of each security group of the app. */
export function ingressRulesOf(template: AppTemplate, group: TemplateResource): IngressRule[] {
  const byGroup = template.memo('ec2:ingress-rules', () => {
    const map = new Map<TemplateResource, IngressRule[]>();
    const add = (g: TemplateResource, rule: IngressRule) => map.set(g, [...(map.get(g) ?? []), rule]);
    for (const sg of template.ofType(SECURITY_GROUP)) {
      for (const rule of tryOr(() => listValue(sg.properties.SecurityGroupIngress, 'ingress'), [])) {
        if (isPlainObject(rule)) add(sg, { owner: sg, properties: rule });
      }
    }
    for (const ingress of template.ofType('AWS::EC2::SecurityGroupIngress')) {
      const sg = template.resourceAt(ingress.properties.GroupId, ingress, SECURITY_GROUP);
      if (sg) add(sg, { owner: ingress, properties: ingress.properties });
    }
    return map;
  });
  return byGroup.get(group) ?? [];
}

/** Whether an ingress rule opens TCP `port` (protocol `tcp`, `6` or `-1`, port inside its range). */
export function opensTcpPort(rule: IngressRule, port: number): boolean {
  const protocol = stringValue(rule.properties.IpProtocol, 'IpProtocol');
  if (protocol === '-1') return true;
  if (protocol !== 'tcp' && protocol !== '6') return false;
  const from = numberValue(rule.properties.FromPort, 'FromPort', 0);
  const to = numberValue(rule.properties.ToPort, 'ToPort', 65535);
  return (from === -1 && to === -1) || (from <= port && port <= to);
}
