"""Builds the ONNX models the EfsModelInference tests and benchmark use, with inputs and reference outputs.

    python generate.py OUT_DIR

writes, for each model, OUT_DIR/<name>/model.onnx, request.json (inputs in the built-in handler's request format)
and reference.json (the outputs computed here with numpy alone, independently of onnxruntime).

- tiny: a 4-feature, 3-class linear classifier (15 parameters, a few hundred bytes). Outputs float32
  probabilities and an int64 label. The example stack ships this very file (lib/examples/inference-model/).
- ranker: 1,188,362 float32 parameters (~4.8 MB) behind five named inputs of five element types (float32 features,
  int64 token ids, bool token mask, int32 category, float64 temperature) and an int64 request id passed through,
  whose values above 2^53 check that int64 survives JSON both ways.

Weights come from a seeded generator and the protobuf is serialized deterministically, so every run writes the same
bytes; the models are generated at test time rather than committed (the ranker would add ~5 MB to the history on
every change).
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 17
# onnxruntime-node 1.30 reads IR versions up to 11; 8 is what opset 17 needs.
IR_VERSION = 8
BATCH = 3
SEED = 20260101


def encode(array):
    """A tensor in the handler's JSON format: int64 as decimal strings, floats as numbers."""
    kind = {np.float32: 'float32', np.float64: 'float64', np.int64: 'int64', np.int32: 'int32', np.bool_: 'bool'}[array.dtype.type]
    flat = array.reshape(-1)
    if kind == 'int64':
        data = [str(int(v)) for v in flat]
    elif kind == 'bool':
        data = [bool(v) for v in flat]
    elif kind == 'int32':
        data = [int(v) for v in flat]
    else:
        data = [float(v) for v in flat]
    return {'type': kind, 'dims': list(array.shape), 'data': data}


def softmax(x):
    shifted = x - x.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def save(out_dir, name, model, inputs, outputs):
    onnx.checker.check_model(model, full_check=True)
    folder = os.path.join(out_dir, name)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, 'model.onnx'), 'wb') as f:
        f.write(model.SerializeToString(deterministic=True))
    with open(os.path.join(folder, 'request.json'), 'w') as f:
        json.dump({'inputs': {k: encode(v) for k, v in inputs.items()}}, f)
    with open(os.path.join(folder, 'reference.json'), 'w') as f:
        json.dump({'outputs': {k: encode(v) for k, v in outputs.items()}}, f)


def tiny(out_dir, rng):
    w = rng.normal(0, 1, (4, 3)).astype(np.float32)
    b = rng.normal(0, 0.1, (3,)).astype(np.float32)
    graph = helper.make_graph(
        [
            helper.make_node('MatMul', ['features', 'w'], ['xw']),
            helper.make_node('Add', ['xw', 'b'], ['logits']),
            helper.make_node('Softmax', ['logits'], ['probabilities'], axis=1),
            helper.make_node('ArgMax', ['logits'], ['label'], axis=1, keepdims=0),
        ],
        'tiny_classifier',
        [helper.make_tensor_value_info('features', TensorProto.FLOAT, ['batch', 4])],
        [
            helper.make_tensor_value_info('probabilities', TensorProto.FLOAT, ['batch', 3]),
            helper.make_tensor_value_info('label', TensorProto.INT64, ['batch']),
        ],
        [numpy_helper.from_array(w, 'w'), numpy_helper.from_array(b, 'b')],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)], ir_version=IR_VERSION, producer_name='cdk-serverless-patterns')
    features = rng.normal(0, 1, (BATCH, 4)).astype(np.float32)
    logits = features.astype(np.float64) @ w.astype(np.float64) + b.astype(np.float64)
    save(out_dir, 'tiny', model, {'features': features}, {
        'probabilities': softmax(logits).astype(np.float32),
        'label': logits.argmax(axis=1).astype(np.int64),
    })


VOCAB, TOKENS, EMBED, FEATURES, CATEGORIES, HIDDEN1, HIDDEN2, CLASSES = 4096, 16, 64, 256, 32, 1024, 512, 10


def ranker(out_dir, rng):
    def weights(shape, fan_in):
        return (rng.normal(0, 1, shape) / np.sqrt(fan_in)).astype(np.float32)

    params = {
        'token_table': weights((VOCAB, EMBED), 1),
        'category_table': weights((CATEGORIES, EMBED), 1),
        'w1': weights((FEATURES + 2 * EMBED, HIDDEN1), FEATURES + 2 * EMBED),
        'b1': weights((HIDDEN1,), 100),
        'w2': weights((HIDDEN1, HIDDEN2), HIDDEN1),
        'b2': weights((HIDDEN2,), 100),
        'w3': weights((HIDDEN2, CLASSES), HIDDEN2),
        'b3': weights((CLASSES,), 100),
    }
    constants = {
        'axis1': np.array([1], dtype=np.int64),
        'axis2': np.array([2], dtype=np.int64),
        'one': np.array(1, dtype=np.float32),
    }
    node = helper.make_node
    graph = helper.make_graph(
        [
            node('Gather', ['token_table', 'token_ids'], ['token_vectors']),
            node('Cast', ['token_mask'], ['mask'], to=TensorProto.FLOAT),
            node('Unsqueeze', ['mask', 'axis2'], ['mask3']),
            node('Mul', ['token_vectors', 'mask3'], ['masked']),
            node('ReduceSum', ['masked', 'axis1'], ['token_sum'], keepdims=0),
            node('ReduceSum', ['mask', 'axis1'], ['token_count'], keepdims=1),
            node('Max', ['token_count', 'one'], ['token_divisor']),
            node('Div', ['token_sum', 'token_divisor'], ['token_mean']),
            node('Gather', ['category_table', 'category'], ['category_vector']),
            node('Concat', ['features', 'token_mean', 'category_vector'], ['hidden_in'], axis=1),
            node('MatMul', ['hidden_in', 'w1'], ['h1_raw']),
            node('Add', ['h1_raw', 'b1'], ['h1_pre']),
            node('Relu', ['h1_pre'], ['h1']),
            node('MatMul', ['h1', 'w2'], ['h2_raw']),
            node('Add', ['h2_raw', 'b2'], ['h2_pre']),
            node('Relu', ['h2_pre'], ['h2']),
            node('MatMul', ['h2', 'w3'], ['logits_raw']),
            node('Add', ['logits_raw', 'b3'], ['logits']),
            node('Cast', ['temperature'], ['temperature32'], to=TensorProto.FLOAT),
            node('Div', ['logits', 'temperature32'], ['scaled']),
            node('Softmax', ['scaled'], ['probabilities'], axis=1),
            node('ArgMax', ['logits'], ['top_class'], axis=1, keepdims=0),
            node('ReduceMax', ['probabilities'], ['top_probability'], axes=[1], keepdims=0),
            node('Cast', ['top_probability'], ['confidence'], to=TensorProto.DOUBLE),
            node('Identity', ['request_id'], ['request_id_out']),
        ],
        'ranker',
        [
            helper.make_tensor_value_info('features', TensorProto.FLOAT, ['batch', FEATURES]),
            helper.make_tensor_value_info('token_ids', TensorProto.INT64, ['batch', TOKENS]),
            helper.make_tensor_value_info('token_mask', TensorProto.BOOL, ['batch', TOKENS]),
            helper.make_tensor_value_info('category', TensorProto.INT32, ['batch']),
            helper.make_tensor_value_info('temperature', TensorProto.DOUBLE, [1]),
            helper.make_tensor_value_info('request_id', TensorProto.INT64, ['batch']),
        ],
        [
            helper.make_tensor_value_info('probabilities', TensorProto.FLOAT, ['batch', CLASSES]),
            helper.make_tensor_value_info('top_class', TensorProto.INT64, ['batch']),
            helper.make_tensor_value_info('confidence', TensorProto.DOUBLE, ['batch']),
            helper.make_tensor_value_info('request_id_out', TensorProto.INT64, ['batch']),
        ],
        [numpy_helper.from_array(v, k) for k, v in {**params, **constants}.items()],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', OPSET)], ir_version=IR_VERSION, producer_name='cdk-serverless-patterns')
    count = sum(v.size for v in params.values())
    assert count >= 1_000_000, count

    inputs = {
        'features': rng.normal(0, 1, (BATCH, FEATURES)).astype(np.float32),
        'token_ids': rng.integers(0, VOCAB, (BATCH, TOKENS)).astype(np.int64),
        'token_mask': rng.random((BATCH, TOKENS)) < 0.7,
        'category': rng.integers(0, CATEGORIES, (BATCH,)).astype(np.int32),
        'temperature': np.array([1.5], dtype=np.float64),
        # Above 2^53: a JSON number would round these.
        'request_id': np.array([2**53 + 1, 2**62 + 12345, -(2**63)], dtype=np.int64),
    }
    p = {k: v.astype(np.float64) for k, v in params.items()}
    mask = inputs['token_mask'].astype(np.float64)
    token_sum = (p['token_table'][inputs['token_ids']] * mask[:, :, None]).sum(axis=1)
    token_mean = token_sum / np.maximum(mask.sum(axis=1, keepdims=True), 1.0)
    hidden_in = np.concatenate([inputs['features'].astype(np.float64), token_mean, p['category_table'][inputs['category']]], axis=1)
    h1 = np.maximum(hidden_in @ p['w1'] + p['b1'], 0)
    h2 = np.maximum(h1 @ p['w2'] + p['b2'], 0)
    logits = h2 @ p['w3'] + p['b3']
    probabilities = softmax(logits / np.float32(inputs['temperature'][0]))
    save(out_dir, 'ranker', model, inputs, {
        'probabilities': probabilities.astype(np.float32),
        'top_class': logits.argmax(axis=1).astype(np.int64),
        'confidence': probabilities.max(axis=1).astype(np.float32).astype(np.float64),
        'request_id_out': inputs['request_id'],
    })
    return count


def main():
    out_dir = sys.argv[1]
    rng = np.random.default_rng(SEED)
    tiny(out_dir, rng)
    count = ranker(out_dir, rng)
    print(json.dumps({'ranker_parameters': int(count)}))


if __name__ == '__main__':
    main()
