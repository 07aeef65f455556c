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
  return codeAt(join(ASSETS_DIR, name), name);
}

/**
 * The pre-bundled `name` as the zip the build wrote with fixed file modes (`"zip": true` in its bundle.json). CDK
 * uploads a .zip asset as it is, so an executable keeps its bit whatever machine deploys; a folder asset would be
 * zipped with the deploying machine's modes.
 * https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_lambda.Code.html#static-fromwbrassetpath-options
 */
export function bundledZipCode(name: string): lambda.Code {
  return codeAt(join(ASSETS_DIR, `${name}.zip`), name);
}

function codeAt(path: string, name: string): lambda.Code {
  if (!existsSync(path)) {
    throw new Error(
      `Pre-bundled handler "${name}" is missing from ${ASSETS_DIR}. In a source checkout run \`npx projen bundle\` ` +
        '(the build and test tasks do this); the published package ships it.',
    );
  }
  return lambda.Code.fromAsset(path);
}
