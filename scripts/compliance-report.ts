/**
 * What cdk-nag's compliance packs (NIST 800-53 rev 5, HIPAA security, PCI DSS 3.2.1) report on the example stacks and
 * on each construct with its defaults: per pack, each rule with the number of resources it flags, their types and
 * the stacks they are in; then the same for one stack with every option the README names set. The README's
 * "Compliance packs" section is written from this output; re-check it with
 *
 *   npx ts-node --transpile-only --prefer-ts-exts scripts/compliance-report.ts
 *
 * (--prefer-ts-exts: lib/ may hold compiled .js from the last jsii build, which plain node would load instead.)
 */
import { join } from 'node:path';
import { CfnResource, PolicyViolation, Stack } from 'aws-cdk-lib';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import { HIPAASecurityChecks, NagPack, NIST80053R5Checks, PCIDSS321Checks } from 'cdk-nag';
import {
  BufferedEventConsumer, CircuitBreaker, EfsModelInference, FifoFanout, ModelSource, PatternFunction, PatternFunctionProps, TransactionalOutbox,
} from '../lib';
import { CONSTRUCT_DEFAULT_STACKS } from '../test/cfn-lint/construct-defaults';
import { INLINE_CODE, newStack } from '../test/support/cdk';
import { EXAMPLE_STACKS } from '../test/support/examples';

const PACKS: Array<() => NagPack> = [() => new NIST80053R5Checks(), () => new HIPAASecurityChecks(), () => new PCIDSS321Checks()];

interface RuleTally {
  description: string;
  resources: number;
  types: Map<string, number>;
  stacks: Set<string>;
}

function typeAt(stack: Stack, path: string | undefined): string {
  const found = stack.node.findAll().find((c) => c.node.path === path);
  return CfnResource.isCfnResource(found) ? found.cfnResourceType : 'unknown';
}

function tally(into: Map<string, RuleTally>, stackName: string, stack: Stack, violations: PolicyViolation[]): void {
  for (const violation of violations) {
    const rule = into.get(violation.ruleName) ?? { description: violation.description, resources: 0, types: new Map(), stacks: new Set() };
    for (const resource of violation.violatingResources) {
      const type = typeAt(stack, (resource as { constructPath?: string }).constructPath);
      rule.types.set(type, (rule.types.get(type) ?? 0) + 1);
      rule.resources += 1;
    }
    rule.stacks.add(stackName);
    into.set(violation.ruleName, rule);
  }
}

/** The rule's finding, without the list of control ids cdk-nag appends. */
const summary = (description: string) => description.replace(/\s+-\s+\(Control IDs?:.*$/s, '').split('\n')[0];

/**
 * The five patterns with every option the README names for these packs: alarm actions (to a KMS-encrypted topic),
 * KMS-encrypted log groups, reserved concurrency, and functions in a VPC with flow logs. What remains is what no
 * option of ours changes.
 */
function hardenedStack(): Stack {
  const stack = newStack('Hardened');
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  // CloudWatch Logs must be allowed to use the key for the log groups (aws-cdk-lib does not add this).
  key.grantEncryptDecrypt(new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`));
  const alarmAction = new cloudwatchActions.SnsAction(new sns.Topic(stack, 'Alarms', { masterKey: key, enforceSSL: true }));
  const logGroup = (id: string) => new logs.LogGroup(stack, id, { encryptionKey: key, retention: logs.RetentionDays.ONE_YEAR });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    natGateways: 0,
    subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }],
    flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(logGroup('FlowLogs')) } },
    gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
  });
  const functionProps = (id: string): PatternFunctionProps => ({
    code: INLINE_CODE, handler: 'index.handler', logGroup: logGroup(`${id}Logs`), reservedConcurrentExecutions: 5, vpc,
  });
  new FifoFanout(stack, 'Fanout', { alarmAction, encryptionKey: key })
    .addSubscriber('Subscriber', { consumer: new PatternFunction(stack, 'Consumer', functionProps('Consumer')) });
  new BufferedEventConsumer(stack, 'Orders', {
    eventPattern: { source: ['com.example.orders'] }, consumerProps: functionProps('OrdersConsumer'), alarmAction,
  });
  const breaker = new CircuitBreaker(stack, 'Breaker', {
    alarmAction,
    healthChecks: [{ url: 'https://api.example.com/health', circuitId: 'api' }],
    healthChecker: { logGroup: logGroup('HealthCheckerLogs'), reservedConcurrentExecutions: 1 },
  });
  breaker.protect(new PatternFunction(stack, 'Caller', functionProps('Caller')), { circuitIds: ['api'] });
  new TransactionalOutbox(stack, 'Outbox', { eventSource: 'com.example.orders', alarmAction });
  new EfsModelInference(stack, 'Inference', {
    model: ModelSource.fromDirectory(join(__dirname, '..', 'lib', 'examples', 'inference-model')), vpc, alarmAction, reservedConcurrentExecutions: 5,
  });
  return stack;
}

function report(title: string, stacks: Record<string, () => Stack>): string[] {
  const lines = [`# ${title}`, '', `Stacks: ${Object.keys(stacks).join(', ')}.`, ''];
  for (const makePack of PACKS) {
    const rules = new Map<string, RuleTally>();
    let packName = '';
    for (const [name, build] of Object.entries(stacks)) {
      const stack = build();
      const pack = makePack();
      packName = pack.readPackName;
      tally(rules, name, stack, pack.validateScope(stack).violations);
    }
    const total = [...rules.values()].reduce((n, r) => n + r.resources, 0);
    lines.push(`## ${packName}: ${rules.size} rules, ${total} resource findings`, '', '| rule | finding | resources | stacks |', '| --- | --- | --- | --- |');
    for (const [ruleName, rule] of [...rules].sort(([a], [b]) => a.localeCompare(b))) {
      const types = [...rule.types].map(([type, n]) => `${n} ${type}`).join(', ');
      lines.push(`| ${ruleName} | ${summary(rule.description)} | ${rule.resources} (${types}) | ${rule.stacks.size} of ${Object.keys(stacks).length} |`);
    }
    lines.push('');
  }
  return lines;
}

const defaults: Record<string, () => Stack> = {};
for (const [name, build] of Object.entries(EXAMPLE_STACKS)) defaults[`example ${name}`] = build;
for (const [name, build] of Object.entries(CONSTRUCT_DEFAULT_STACKS)) defaults[`defaults ${name}`] = build;
process.stdout.write([
  ...report('Example stacks and construct defaults', defaults),
  ...report('Every option set', { hardened: hardenedStack }),
].join('\n'));
