import { Annotations, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { validate } from '../../core/private/validation';

/**
 * Context key of a synth-only run (`cdk synth -c synthOnly=true`, as `npm run synth:app` does): the examples then
 * synthesize with their placeholder URLs instead of refusing them.
 */
export const SYNTH_ONLY_CONTEXT = 'synthOnly';

/** A URL setting of an example stack: its prop (also the sample app's context key) and the placeholder. */
export interface UrlSetting {
  readonly name: string;
  readonly placeholder: string;
}

/**
 * The URL an example stack calls. A given URL must be http(s). Without one the stack gets the placeholder and an
 * error annotation naming the fix, so `cdk synth` and `cdk deploy` of that stack stop (the CLI validates only the
 * stacks it was asked for: the app's other stacks still deploy); in a synth-only run the annotation is a warning.
 */
export function urlOrPlaceholder(scope: IConstruct, url: string | undefined, setting: UrlSetting): string {
  const stack = Stack.of(scope);
  if (url !== undefined) {
    validate(stack, (problems) => problems.check(/^https?:\/\/[^/\s]+\S*$/.test(url), 'Examples.Url',
      `${setting.name} ${JSON.stringify(url)} is not an http(s) URL`, `pass an absolute URL such as ${setting.placeholder}`));
    return url;
  }
  const message = `${setting.name} is not set, so this stack would call the placeholder ${setting.placeholder}. ` +
    `Fix: cdk deploy ${stack.stackName} -c ${setting.name}=https://<your service> (or pass ${setting.name}). ` +
    `Only a synth-only run (-c ${SYNTH_ONLY_CONTEXT}=true) accepts the placeholder; never deploy it.`;
  if (isSynthOnly(stack)) Annotations.of(stack).addWarningV2('cdk-serverless-patterns:Examples.PlaceholderUrl', message);
  else Annotations.of(stack).addError(message);
  return setting.placeholder;
}

function isSynthOnly(scope: IConstruct): boolean {
  const value: unknown = scope.node.tryGetContext(SYNTH_ONLY_CONTEXT);
  return value === true || value === 'true';
}
