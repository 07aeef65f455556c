/**
 * Integration test for EfsModelInference, on the sample app's InferenceStack. Run against a real account with
 *   AWS_REGION=<region> npx integ-runner --directory test/integ --language typescript \
 *     --app "node -r ts-node/register/transpile-only {filePath}" integ.efs-inference.ts
 * The deploy waits for the sync function to install the shipped classifier on EFS; the inference function must then
 * answer two rows with their labels (int64, as strings) from that very version, and refuse a request that names an
 * input the model does not have. CI only verifies the committed snapshot (no deployment).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExpectedResult, IntegTest, InvocationType } from '@aws-cdk/integ-tests-alpha';
import { integApp } from './integ-app';
import { versionId } from '../../lambda/efs-model-sync/manifest';
import { examples } from '../../lib';

const MODEL = join(__dirname, '..', '..', 'lib', 'examples', 'inference-model', 'model.onnx');
// The version the sync names the shipped model: derived from its contents alone.
const version = versionId([{ path: 'model.onnx', sha256: createHash('sha256').update(readFileSync(MODEL)).digest('hex'), bucket: '', key: '' }]);

const app = integApp();
const stack = new examples.InferenceStack(app, 'EfsInferenceInteg');
const integ = new IntegTest(app, 'ModelServes', { testCases: [stack], regions: ['us-east-1'] });
const invoke = (request: unknown) =>
  integ.assertions.invokeFunction({
    functionName: stack.inference.inferenceFunction.functionName,
    invocationType: InvocationType.REQUEST_RESPONSE,
    payload: JSON.stringify(request),
  });

// Two rows of scripts/models/generate.py's tiny request; numpy's reference labels are 1 and 0.
const rows = [
  [0.05739559978246689, 0.08044292032718658, -1.5069283246994019, 0.44020557403564453],
  [-0.10625415295362473, 0.436555951833725, 0.5518969297409058, -1.0248796939849854],
];
invoke({ inputs: { features: rows }, outputs: ['label'] })
  .expect(ExpectedResult.objectLike({
    Payload: JSON.stringify({ modelVersion: version, outputs: { label: { type: 'int64', dims: [2], data: ['1', '0'] } } }),
  }))
  .next(invoke({ inputs: { features: rows, extra: [1] } }).expect(ExpectedResult.objectLike({ FunctionError: 'Unhandled' })));

app.synth();
