// jsii resolves the interfaces of a submodule only through `export *`: a named re-export of a props interface fails
// with JSII3000, and importing then exporting by name silently drops the types from the assembly. So this one index
// re-exports whole files; each file exports exactly its stack and its props (helpers stay unexported), and
// test/lib/public-api.test.ts pins every type the submodule publishes, interfaces included.
export * from './example-stack-props';
export * from './inference-stack';
export * from './order-events-stack';
export * from './order-intake-stack';
export * from './order-service-stack';
export * from './partner-webhooks-stack';
export * from './quotes-stack';
export * from './recruiting-agency-stack';
