/**
 * Shapes the built-in handler refuses before onnxruntime sees them, and how it names what the model expects.
 * The metadata has the form onnxruntime-node reports (a public voice-activity model's inputs, as read from it).
 *
 * @jest-environment ./test/lambda/efs-onnx-inference/onnx-test-environment.js
 */
import type { InferenceSession } from 'onnxruntime-node';
import { decodeInputs, describeInput, InvalidInputError } from '../../../lambda/efs-onnx-inference/tensors';

const tensor = (name: string, type: string, shape: Array<number | string>) =>
  ({ name, isTensor: true, type, shape }) as unknown as InferenceSession.ValueMetadata;
/** silero_vad.onnx: unnamed dims, and a rank-0 sample rate. */
const VAD = [tensor('input', 'float32', ['', '']), tensor('state', 'float32', [2, '', 128]), tensor('sr', 'int64', [])];
const zeros = (n: number) => new Array<number>(n).fill(0);
const vadRequest = (input: unknown, sr: unknown) => ({ input, state: { dims: [2, 1, 128], data: zeros(256) }, sr });

function problemsOf(inputs: unknown, metadata = VAD): string[] {
  try {
    decodeInputs(inputs, metadata);
    return [];
  } catch (error) {
    if (error instanceof InvalidInputError) return error.problems;
    throw error;
  }
}

test('unnamed dimensions print as ?, a rank-0 input as a scalar', () => {
  expect(VAD.map(describeInput)).toEqual(['float32 [?, ?]', 'float32 [2, ?, 128]', 'int64 scalar']);
});

test.each([
  ['batch 0', { dims: [0, 512], data: [] }],
  ['an empty sequence', { dims: [1, 0], data: [] }],
  ['an empty nested array', [[]]],
])('%s is refused as an empty tensor, naming the input', (_, input) => {
  expect(problemsOf(vadRequest(input, 16000))).toEqual([expect.stringMatching(/^input "input": dimension \d is 0: empty tensors are refused \(expected float32 \[\?, \?\]\)$/)]);
});

test.each([
  ['a bare number', 16000],
  ['dims []', { dims: [], data: [16000] }],
  ['dims [1] (onnxruntime takes a one-element vector for a scalar)', { dims: [1], data: [16000] }],
])('a scalar input takes %s', (_, sr) => {
  expect(problemsOf(vadRequest({ dims: [1, 512], data: zeros(512) }, sr))).toEqual([]);
});

test.each([
  ['[1, 1]', { dims: [1, 1], data: [16000] }],
  ['[2]', { dims: [2], data: [16000, 8000] }],
  ['[0]', { dims: [0], data: [] }],
])('a scalar input refuses dims %s', (_, sr) => {
  expect(problemsOf(vadRequest({ dims: [1, 512], data: zeros(512) }, sr))).toEqual([expect.stringMatching(/^input "sr": /)]);
});

test('? is not a name: two ? dimensions of one input need not be equal', () => {
  const cls = [tensor('x', 'float32', ['', 3, '?', '?'])];
  expect(problemsOf({ x: { dims: [1, 3, 2, 4], data: zeros(24) } }, cls)).toEqual([]);
});
