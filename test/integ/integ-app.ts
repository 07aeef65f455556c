import { App } from 'aws-cdk-lib';
import * as cxapi from 'aws-cdk-lib/cx-api';

/**
 * The App every integ test synthesizes in. Construct stack traces are off: they would write this machine's file
 * paths into the committed snapshots and make them differ from one checkout to the next.
 */
export function integApp(): App {
  return new App({
    stackTraces: false,
    context: { [cxapi.DISABLE_CREATION_STACK_TRACES]: true },
  });
}
