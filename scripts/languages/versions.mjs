// What every scratch app installs from its own language's registry: the floor of the supported range, pinned so a
// registry release cannot change what CI checks. The same three packages in each language's naming.
export const FLOOR = { awsCdkLib: '2.257.0', constructs: '10.5.1', cdkNag: '3.0.2' };

// The README sections whose snippets each language's app is composed of, in order.
export const SECTIONS = ['FifoFanout', 'BufferedEventConsumer', 'CircuitBreaker'];

// Set in the second run of each app: it reads a validation error back and adds a resource cdk-nag must refuse.
export const PROBE_ENV = 'LANGUAGE_CHECK_PROBE';
