import { Annotations } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Thrown at synth time when a construct is given a combination AWS would reject at deploy time (or that would lose
 * messages silently). The message names the construct path, the offending value and how to fix it.
 */
export class PatternValidationError extends Error {
  constructor(scope: IConstruct, problem: string, fix: string) {
    super(`[${scope.node.path}] ${problem}. Fix: ${fix}.`);
    this.name = 'PatternValidationError';
  }
}

/** Throws a {@link PatternValidationError} unless `condition` holds. */
export function check(condition: boolean, scope: IConstruct, problem: string, fix: string): void {
  if (!condition) throw new PatternValidationError(scope, problem, fix);
}

/**
 * Records a recoverable smell as an acknowledgeable CDK warning (shown by `cdk synth`, fatal under `--strict`).
 * Ids are prefixed so users can acknowledge them with `Annotations.of(scope).acknowledgeWarning(id, reason)`.
 */
export function warn(scope: IConstruct, id: string, message: string): void {
  Annotations.of(scope).addWarningV2(`cdk-serverless-patterns:${id}`, message);
}

