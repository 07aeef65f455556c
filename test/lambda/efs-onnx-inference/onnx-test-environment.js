// Jest runs each test file in its own VM context, whose typed-array classes differ from the process's. onnxruntime's
// native code creates its output arrays in the process's realm, and onnxruntime-common, loaded inside the context,
// then refuses them (`data instanceof Float32Array` fails). Tests that run inference use this environment, which
// gives the context the process's own typed-array classes, as a Lambda process has.
const { TestEnvironment } = require('jest-environment-node');

const SHARED = [
  'ArrayBuffer', 'SharedArrayBuffer', 'Float32Array', 'Float64Array', 'Int8Array', 'Uint8Array', 'Uint8ClampedArray',
  'Int16Array', 'Uint16Array', 'Int32Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

class OnnxTestEnvironment extends TestEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = OnnxTestEnvironment;
