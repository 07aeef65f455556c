import { CfnResource, PolicyValidationPluginReport } from 'aws-cdk-lib';
import { NagPack, NagPackProps } from 'cdk-nag';
import { Construct, IConstruct } from 'constructs';
import { SERVERLESS_PATTERNS_RULES } from './serverless-patterns-rules';
import { RATE_LIMITED_DOWNSTREAM_MARKER } from '../private/markers';
import { withSharedTemplate } from '../private/template';

/**
 * cdk-nag rules for serverless messaging that look across resources: a queue's visibility timeout against its
 * consumer, FIFO-ness along topic, queue and dead-letter queue, a function that feeds its own trigger, a pipe's
 * batch against its target, dead-letter queues and their alarms, idempotency and circuit-breaker tables. Works on
 * any CDK app (not only this library's constructs). Rule ids are `SPC-<RULE>`, e.g. `SPC-SQS1`; see the README.
 *
 * Use it like any cdk-nag 3 pack: `ScopedNagValidation.enforce(app, new ServerlessPatternsChecks())` on
 * aws-cdk-lib releases that do not pass the construct tree to validation plugins, or
 * `Validations.of(app).addPlugins(new ServerlessPatternsChecks(app))` on those that do. Its rules are exported one
 * by one (`rules.sqs.SQSMaxReceiveCountAboveOne`) for packs of your own.
 */
export class ServerlessPatternsChecks extends NagPack {
  /**
   * Marks a function as calling a rate-limited downstream: rule SPC-ESM2 then expects its SQS event source
   * mappings to cap their concurrency (`maxConcurrency`).
   */
  public static markRateLimitedDownstream(fn: IConstruct): void {
    fn.node.addMetadata(RATE_LIMITED_DOWNSTREAM_MARKER, true);
  }

  /** The pack's name in validation reports. */
  public readonly name: string = 'ServerlessPatterns';

  /**
   * @param scopeOrProps the pack's options (`new ServerlessPatternsChecks({ verbose: true })`, the form cdk-nag 2
   * packs took), or the scope cdk-nag 3 packs take first (`new ServerlessPatternsChecks(app, { verbose: true })`),
   * where `writeSuppressionsToCloudFormation` adds its aspect.
   * @param props the pack's options when the first argument is a scope; ignored otherwise.
   */
  constructor(scopeOrProps?: IConstruct | NagPackProps, props?: NagPackProps) {
    const scope = scopeOrProps !== undefined && Construct.isConstruct(scopeOrProps) ? scopeOrProps : undefined;
    super(scope, scope ? props : (scopeOrProps as NagPackProps | undefined) ?? props);
    this.packName = 'SPC';
  }

  /** Runs every rule over `scope`, rendering the app's template once for all of them. */
  public validateScope(scope: IConstruct): PolicyValidationPluginReport {
    return withSharedTemplate(() => super.validateScope(scope));
  }

  protected checkResource(node: CfnResource): void {
    for (const rule of SERVERLESS_PATTERNS_RULES) this.applyRule({ ...rule, node });
  }
}
