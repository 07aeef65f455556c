import { Stack, Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The stack's region when synth knows it and it is one of `unavailable`, else undefined. An unresolved region (an
 * environment-agnostic stack) is never refused: it may be deployed anywhere.
 */
export function regionWithout(scope: IConstruct, unavailable: readonly string[]): string | undefined {
  const region = Stack.of(scope).region;
  return !Token.isUnresolved(region) && unavailable.includes(region) ? region : undefined;
}
