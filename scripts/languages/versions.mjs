// What every scratch app installs from its own language's registry: the floor of the supported range, pinned so a
// registry release cannot change what CI checks. The same three packages in each language's naming.
export const FLOOR = { awsCdkLib: '2.257.0', constructs: '10.5.1', cdkNag: '3.0.2' };

// The README sections whose snippets each language's app is composed of, in order.
export const SECTIONS = [
  'FifoFanout', 'BufferedEventConsumer', 'CircuitBreaker', 'TransactionalOutbox', 'EfsModelInference', 'RateLimitedEgress',
  'PatternFunction and PatternNodejsFunction',
];

// Set in the second run of each app: it reads a validation error back and adds a resource cdk-nag must refuse.
export const PROBE_ENV = 'LANGUAGE_CHECK_PROBE';

// jsii's Node version banner (@jsii/check-node), printed by jsii-pacmak and by the jsii runtime each Python, Java and
// Go app starts. For a release past end of life it reads JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION, a list of
// major versions; for a deprecated one JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION. Only the release running this
// check is listed: the README states which Node.js releases the project needs.
export const JSII_QUIET = {
  JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION: process.versions.node.split('.')[0],
  JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION: '1',
};
