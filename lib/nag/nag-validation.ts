import {
  IPolicyValidationContext,
  IPolicyValidationPlugin,
  PolicyValidationPluginReport,
  Validations,
} from 'aws-cdk-lib';
import { NagPack } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { formatFindings } from './private/format';

/**
 * Runs cdk-nag packs over a fixed scope and makes their findings fail synthesis.
 *
 * cdk-nag 3 packs expect the CDK to hand them the construct tree (`appConstruct`) on the validation context.
 * aws-cdk-lib 2.257, the oldest release this library supports, does not (2.258 and newer do), so there a pack
 * registered the documented way checks nothing: it fails every synth with its own error and reports no finding. This class
 * gives each pack its scope directly, on every release: findings appear in the CDK's validation report, and
 * {@link ScopedNagValidation.enforce} throws on any of them before synthesis.
 */
export class ScopedNagValidation implements IPolicyValidationPlugin {
  /**
   * Registers each pack as a validation plugin on `scope`. After writing the stacks, `app.synth()` treats a finding
   * as the aws-cdk-lib release in use treats any failed validation: 2.257 prints it, writes
   * `policy-validation-report.json` in the output directory and sets the process exit code to 1; 2.258 to 2.261 do
   * the same with `validation-report.json`; 2.262 and newer write `validation-report.json` and throw (or, in the
   * "process" app mode, print and set exit code 1). Either way `cdk synth` fails. Use
   * {@link ScopedNagValidation.enforce} instead to throw before synthesis on every release.
   */
  public static addPacks(scope: IConstruct, ...packs: NagPack[]): ScopedNagValidation[] {
    const plugins = packs.map((pack) => new ScopedNagValidation(scope, pack));
    Validations.of(scope).addPlugins(...plugins);
    return plugins;
  }

  /**
   * Runs every pack over `scope` and throws one error listing every unacknowledged finding (rule, resource path,
   * first line of the explanation). Use it in an app entry point so a finding fails `cdk synth`.
   */
  public static enforce(scope: IConstruct, ...packs: NagPack[]): void {
    const violations = packs.flatMap((pack) => pack.validateScope(scope).violations);
    // A violation is one rule id with every resource it was found on: the findings are the resources.
    const count = violations.reduce((n, violation) => n + violation.violatingResources.length, 0);
    if (count > 0) {
      throw new Error(`cdk-nag: ${count} unacknowledged finding(s):\n${formatFindings(violations)}`);
    }
  }

  /** The pack's name, as shown in the validation report. */
  public readonly name: string;

  constructor(private readonly scope: IConstruct, private readonly pack: NagPack) {
    this.name = pack.name;
  }

  /** Runs the pack over the scope; called by the CDK after synthesis. */
  public validate(_context: IPolicyValidationContext): PolicyValidationPluginReport {
    return this.pack.validateScope(this.scope);
  }
}
