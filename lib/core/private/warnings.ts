import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Records a recoverable smell as an acknowledgeable CDK warning (shown by `cdk synth`, fatal under `--strict`).
 * Ids are prefixed so users can acknowledge them with `Annotations.of(scope).acknowledgeWarning(id, reason)`.
 */
export function warn(scope: IConstruct, id: string, message: string): void {
  Annotations.of(scope).addWarningV2(`cdk-serverless-patterns:${id}`, message);
}

/**
 * {@link warn} for a warning added while the app is synthesized (in a validation). aws-cdk-lib 2.257 matches an
 * acknowledgement made before the warning against the construct's ancestors only, so a warning added at synth on the
 * acknowledged construct itself would stay; it is put on the construct's L1 resource instead, where an acknowledgement
 * on the construct (its parent) applies.
 */
export function warnAtSynth(construct: IConstruct, id: string, message: string): void {
  warn(construct.node.defaultChild ?? construct, id, message);
}
