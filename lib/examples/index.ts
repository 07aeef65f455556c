// jsii resolves the interfaces of a submodule only through `export *` (a named re-export of a props interface here
// fails with JSII3000), so this one index re-exports whole files. Each file exports exactly its stack and props, and
// test/lib/public-api.test.ts pins the submodule's export list like the root's.
export * from './example-stack-props';
export * from './inference-stack';
export * from './order-events-stack';
export * from './order-service-stack';
export * from './quotes-stack';
export * from './recruiting-agency-stack';
