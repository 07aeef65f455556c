/**
 * Every string a construct and its handler share is written once, in lib/<pattern>/contract.ts: renaming a metric,
 * an environment variable or a table key there renames it on both sides. This test reads every contract module,
 * collects its string values and fails when one appears as a string literal in code (comments aside) anywhere else
 * in lib/ or lambda/.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'fs';
import { join, relative } from 'path';

const ROOT = join(__dirname, '..', '..');

/** Literals that equal a contract value by coincidence: a different concept, spelled the same. */
const COINCIDENCES: Record<string, string[]> = {
  // CircuitRejectionReason.OPEN (why a call was rejected) is not the CircuitState value.
  OPEN: ['lambda/runtime/circuit-breaker/errors.ts'],
  // A field name in a FIFO publisher validation message, not the message attribute written by the contract.
  eventType: ['lambda/runtime/fifo-message.ts'],
  // HTTP methods of other requests (Secrets Manager, the Extensions API, a sample downstream) and the jsii enum
  // member whose value the egress contract's default names.
  POST: [
    'lib/rate-limited-egress/props.ts', 'lambda/circuit-breaker-extension/extensions-api.ts',
    'lambda/order-events-consumer/downstream.ts', 'lambda/runtime/rate-limited-egress/handlers.ts',
    // the example API's own method for placing an order
    'lib/examples/order-intake-stack.ts',
  ],
  // A tensor's element type (onnxruntime's field), not the captured item's type attribute.
  type: ['lambda/efs-onnx-inference/tensors.ts'],
  // The CloudFormation property of a function a nag rule reads, not the outbox metric's dimension.
  FunctionName: ['lib/nag/rules/lambda/LambdaLogRetention.ts'],
  // The circuit record's own version counter; the example's item attribute, which it names for its capture settings.
  version: ['lambda/runtime/circuit-breaker/codec.ts', 'lib/examples/order-intake-stack.ts'],
  // JSON fields of unrelated payloads (Extensions API events, tensors, the extension's state answer).
  data: [
    'lambda/circuit-breaker-extension/extensions-api.ts', 'lambda/efs-onnx-inference/tensors.ts',
    'lambda/runtime/circuit-breaker/extension-client.ts',
  ],
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.m?ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function stringValues(value: unknown, into: Set<string>): Set<string> {
  if (typeof value === 'string') into.add(value);
  else if (value && typeof value === 'object' && !(value instanceof RegExp)) Object.values(value).forEach((v) => stringValues(v, into));
  return into;
}

function withoutComments(text: string): string {
  return text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '');
}

const contracts = readdirSync(join(ROOT, 'lib'))
  .map((dir) => join(ROOT, 'lib', dir, 'contract.ts'))
  .filter((path) => existsSync(path));
const code = [...sourceFiles(join(ROOT, 'lib')), ...sourceFiles(join(ROOT, 'lambda'))]
  .filter((path) => !contracts.includes(path))
  .map((path) => ({ path: relative(ROOT, path), text: withoutComments(readFileSync(path, 'utf8')) }));

test('there is a contract per pattern that shares values with a handler', () => {
  expect(contracts.map((c) => relative(ROOT, c))).toEqual(expect.arrayContaining([
    'lib/buffered-consumer/contract.ts', 'lib/circuit-breaker/contract.ts', 'lib/efs-inference/contract.ts',
    'lib/fifo-fanout/contract.ts', 'lib/rate-limited-egress/contract.ts', 'lib/transactional-outbox/contract.ts',
  ]));
});

test.each(contracts.map((c) => [relative(ROOT, c), c]))('%s: each string value is written there only', (_name, contract) => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const values = [...stringValues(require(contract), new Set())].filter((v) => v.length >= 3);
  expect(values.length).toBeGreaterThan(0);
  const repeated = values.flatMap((value) =>
    code
      .filter(({ text }) => [`'${value}'`, `"${value}"`, `\`${value}\``].some((q) => text.includes(q)))
      .filter(({ path }) => !(COINCIDENCES[value] ?? []).includes(path))
      .map(({ path }) => `${JSON.stringify(value)} in ${path}`),
  );
  expect(repeated).toEqual([]);
});
