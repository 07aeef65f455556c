/**
 * The public API, pinned: what the main entry and the examples submodule export at runtime, and that every export
 * is part of the jsii assembly, so Python, Java, .NET and Go users get exactly what TypeScript users get (and
 * jsii-diff watches all of it). A new export must be added here on purpose.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');
// The compiled entry, as users load it (jest would load the TypeScript sources, where a re-exported interface still
// has a name); `npm test` compiles before jest runs.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const lib = require(join(root, 'lib', 'index.js')) as Record<string, unknown> & { examples: Record<string, unknown> };

const ROOT_EXPORTS = [
  'BufferedEventConsumer', 'BufferedEventInput', 'CircuitBreaker', 'FailureCounting', 'FifoFanout', 'FifoSubscriber',
  'IdempotencyTable', 'PatternErrors', 'PatternFunction', 'PatternNodejsFunction', 'ScopedNagValidation', 'SecureQueue', 'StoreFailureMode',
  'ServerlessPatternsChecks',
  'OutboxPipeLogLevel', 'OutboxStartingPosition', 'OutboxTarget', 'TransactionalOutbox',
  'EfsModelInference', 'InferenceHandler', 'ModelSource',
  'EgressDeliveryPath', 'EgressHttpMethod', 'RateLimitedEgress',
  'examples', 'rules',
];
/**
 * The pack's rules, exported as cdk-nag exports its own (`rules.sqs.SQSMaxReceiveCountAboveOne`): functions for a
 * TypeScript NagPack's `applyRule`, which jsii cannot carry into other languages (there, as with cdk-nag's rules, the
 * submodules are empty and the pack is the API). The only TypeScript-only export, on purpose.
 */
const RULE_SERVICES = ['dynamodb', 'eventbridge', 'lambda', 'pipes', 'sns', 'sqs'];
const EXAMPLE_EXPORTS = [
  'InferenceStack', 'OrderEventsStack', 'OrderIntakeStack', 'OrderServiceStack', 'PartnerWebhooksStack', 'QuotesStack', 'RecruitingAgencyStack',
];
/**
 * Every type of the examples submodule, interfaces included. lib/examples/index.ts must re-export whole files (jsii
 * drops a submodule's interfaces re-exported by name, JSII3000, and silently drops types imported then exported), so
 * this list is what keeps those files from publishing anything by accident.
 */
const EXAMPLE_TYPES = [
  ...EXAMPLE_EXPORTS,
  'ExampleStackProps', 'InferenceStackProps', 'OrderEventsStackProps', 'OrderIntakeStackProps', 'OrderServiceStackProps',
  'PartnerWebhooksStackProps', 'QuotesStackProps', 'RecruitingAgencyStackProps',
];

const assembly = JSON.parse(readFileSync(join(root, '.jsii'), 'utf8')) as {
  name: string;
  types: Record<string, { kind: string }>;
  submodules?: Record<string, unknown>;
};

test('the main entry exports exactly the pinned names', () => {
  expect(Object.keys(lib).sort()).toEqual([...ROOT_EXPORTS].sort());
});

test('the examples submodule exports exactly the pinned names', () => {
  expect(Object.keys(lib.examples).sort()).toEqual([...EXAMPLE_EXPORTS].sort());
});

test('the examples submodule publishes exactly the pinned types, interfaces included', () => {
  const prefix = `${assembly.name}.examples.`;
  const published = Object.keys(assembly.types).filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length));
  expect(published.sort()).toEqual([...EXAMPLE_TYPES].sort());
});

test('every runtime export but the rules is a type of the jsii assembly (no other TypeScript-only public API)', () => {
  const fqn = (name: string, submodule?: string) => [assembly.name, submodule, name].filter(Boolean).join('.');
  const missing = [
    ...ROOT_EXPORTS.filter((n) => n !== 'examples' && n !== 'rules').filter((n) => !assembly.types[fqn(n)]),
    ...EXAMPLE_EXPORTS.filter((n) => !assembly.types[fqn(n, 'examples')]),
  ];
  expect(missing).toEqual([]);
  expect(Object.keys(assembly.submodules ?? {}).sort()).toEqual(
    [`${assembly.name}.examples`, `${assembly.name}.rules`, ...RULE_SERVICES.map((s) => `${assembly.name}.rules.${s}`)].sort(),
  );
});

test('the rules namespace holds one namespace per service, each holding only rules (functions)', () => {
  const rules = lib.rules as Record<string, Record<string, unknown>>;
  expect(Object.keys(rules).sort()).toEqual(RULE_SERVICES);
  for (const service of RULE_SERVICES) {
    for (const [name, rule] of Object.entries(rules[service])) {
      expect(typeof rule).toBe('function');
      expect((rule as { name: string }).name).toBe(name);
    }
  }
});

test('the assembly holds nothing the entry does not export (interfaces excepted: they have no runtime value)', () => {
  const exported = new Set([...ROOT_EXPORTS.map((n) => `${assembly.name}.${n}`), ...EXAMPLE_EXPORTS.map((n) => `${assembly.name}.examples.${n}`)]);
  const extra = Object.entries(assembly.types)
    .filter(([name, type]) => type.kind !== 'interface' && !exported.has(name))
    .map(([name]) => name);
  expect(extra).toEqual([]);
});
