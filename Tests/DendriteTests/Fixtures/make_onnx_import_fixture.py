#!/usr/bin/env python3
"""Writes an ONNX model from another producer (the onnx package's helpers, as a converter would
write it) and ONNX Runtime's output on a fixed input, for ONNXImportTests.

Differences from Dendrite's own export that the import must handle: opset 13, weights as raw_data,
Gemm with transB=0, MatMul + Add for a dense layer, Reshape [0, -1] as the flatten, Clip(0, 6),
Dropout and Identity nodes, the input named "pixels".

Run: python3 make_onnx_import_fixture.py  (needs onnx, onnxruntime, safetensors, numpy)
Writes data/onnx_chain.onnx and data/onnx_chain_io.safetensors.
"""
import pathlib

import numpy as np
import onnx
import onnxruntime as ort
from onnx import TensorProto, helper, numpy_helper
from safetensors.numpy import save_file

rng = np.random.default_rng(0)
here = pathlib.Path(__file__).parent / "data"


def weight(name, *shape, scale=0.3):
    return numpy_helper.from_array((rng.standard_normal(shape) * scale).astype(np.float32), name)


initializers = [
    weight("conv.w", 4, 2, 3, 3), weight("conv.b", 4),
    numpy_helper.from_array(rng.uniform(0.5, 1.5, 4).astype(np.float32), "bn.scale"), weight("bn.shift", 4),
    weight("bn.mean", 4), numpy_helper.from_array(rng.uniform(0.5, 2, 4).astype(np.float32), "bn.var"),
    numpy_helper.from_array(np.array([0, -1], dtype=np.int64), "flat"),
    weight("fc1.w", 36, 8), weight("fc1.b", 8),          # Gemm with transB = 0: W is [in, out]
    numpy_helper.from_array(np.array(0, dtype=np.float32), "zero"),
    numpy_helper.from_array(np.array(6, dtype=np.float32), "six"),
    weight("fc2.w", 8, 5), weight("fc2.b", 5),           # MatMul + Add
]
nodes = [
    helper.make_node("Conv", ["pixels", "conv.w", "conv.b"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[2, 2]),
    helper.make_node("BatchNormalization", ["c", "bn.scale", "bn.shift", "bn.mean", "bn.var"], ["n"], epsilon=1e-3),
    helper.make_node("Relu", ["n"], ["r"]),
    helper.make_node("MaxPool", ["r"], ["p"], kernel_shape=[2, 2], strides=[2, 2]),
    helper.make_node("Reshape", ["p", "flat"], ["f"]),
    helper.make_node("Dropout", ["f"], ["d"]),
    helper.make_node("Gemm", ["d", "fc1.w", "fc1.b"], ["h"]),
    helper.make_node("Clip", ["h", "zero", "six"], ["k"]),
    helper.make_node("Identity", ["k"], ["i"]),
    helper.make_node("MatMul", ["i", "fc2.w"], ["m"]),
    helper.make_node("Add", ["m", "fc2.b"], ["a"]),
    helper.make_node("Softmax", ["a"], ["probabilities"], axis=-1),
]
graph = helper.make_graph(
    nodes, "external_chain",
    [helper.make_tensor_value_info("pixels", TensorProto.FLOAT, ["batch", 2, 12, 12])],
    [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["batch", 5])],
    initializers)
model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="onnx.helper")
model.ir_version = 7
onnx.checker.check_model(model, full_check=True)
onnx.save(model, str(here / "onnx_chain.onnx"))

pixels = rng.standard_normal((3, 2, 12, 12)).astype(np.float32)
(probabilities,) = ort.InferenceSession(str(here / "onnx_chain.onnx")).run(None, {"pixels": pixels})
save_file({"input": pixels, "output": probabilities}, str(here / "onnx_chain_io.safetensors"))
print("wrote", here / "onnx_chain.onnx", "and onnx_chain_io.safetensors")
