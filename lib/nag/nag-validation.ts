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
 * cdk-nag 3 packs expect the CDK to hand them the construct tree (`appConstruct`) on the validation context. The
 * aws-cdk-lib releases this library supports do not, so a pack registered the documented way reports an internal
 * error, checks nothing, and `cdk synth` still exits 0. This class gives each pack its scope directly: findings
 * appear in the CDK's policy validation report and {@link ScopedNagValidation.enforce} throws on any of them.
 */
export class ScopedNagValidation implements IPolicyValidationPlugin {
  /**
   * Registers each pack as a validation plugin on `scope`. After `app.synth()` the CDK prints the findings, writes
   * them to `policy-validation-report.json` in the output directory and sets the process exit code to 1, so
   * `cdk synth` fails. Use {@link ScopedNagValidation.enforce} instead to throw before synthesis.
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
