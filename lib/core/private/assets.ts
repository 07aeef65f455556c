import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/** Where the build puts pre-bundled handlers (shipped in the npm package next to lib/). */
const ASSETS_DIR = join(__dirname, '..', '..', '..', 'assets');

/**
 * Code of a handler the library ships pre-bundled (built from `lambda/<name>/` by esbuild at build time), so
 * synth needs neither esbuild nor Docker.
 */
export function bundledHandlerCode(name: string): lambda.Code {
  const dir = join(ASSETS_DIR, name);
  if (!existsSync(dir)) {
    throw new Error(
      `Pre-bundled handler "${name}" is missing from ${ASSETS_DIR}. In a source checkout run \`npx projen bundle\` ` +
        '(the build and test tasks do this); the published package ships it.',
    );
  }
  return lambda.Code.fromAsset(dir);
}
