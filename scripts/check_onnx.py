#!/usr/bin/env python3
"""Checks ONNX files exported by Dendrite against ONNX's checker and ONNX Runtime.

Usage: check_onnx.py DIR [--rtol 1e-4]

DIR holds pairs NAME.onnx and NAME.safetensors; the safetensors file has "input" (the batch
Dendrite ran, as float32; cast to the model's input type, e.g. int64 token ids) and "output"
(Dendrite's result). For each pair: onnx.checker.check_model(full_check=True), then one ONNX
Runtime session on the CPU, and an element-wise comparison: every element must satisfy
|ort - dendrite| <= rtol * max(|dendrite|, 0.01 * max|dendrite|) — relative to the element, with
a floor at a hundredth of the output's scale for elements near zero (there two float32 runtimes'
summation orders differ by more than 1e-4 of the element itself: ONNX Runtime with and without its
graph optimizations differ by as much as Dendrite and ONNX Runtime do).

Prints one JSON line per model and exits 1 if any model fails, 2 if a package is missing.
"""
import argparse
import json
import pathlib
import sys

try:
    import numpy as np
    import onnx
    import onnxruntime as ort
    from safetensors.numpy import load_file
except ImportError as error:  # the Swift test reports this as a skip
    print(json.dumps({"missing": str(error)}))
    sys.exit(2)


def check(model_path: pathlib.Path, rtol: float) -> dict:
    tensors = load_file(str(model_path.with_suffix(".safetensors")))
    onnx.checker.check_model(str(model_path), full_check=True)
    model = onnx.load(str(model_path))
    session = ort.InferenceSession(str(model_path), providers=["CPUExecutionProvider"])
    declared = session.get_inputs()[0]
    feed = tensors["input"].astype(np.int64 if declared.type == "tensor(int64)" else np.float32)
    (result,) = session.run(None, {declared.name: feed})
    expected = tensors["output"]
    if result.shape != expected.shape:
        return {"model": model_path.stem, "ok": False, "reason": f"shape {result.shape} != Dendrite's {expected.shape}"}
    floor = 0.01 * float(np.abs(expected).max())
    error = np.abs(result - expected) / np.maximum(np.abs(expected), floor + 1e-30)
    worst = float(error.max())
    return {
        "model": model_path.stem,
        "ok": bool(worst <= rtol),
        "max_relative_error": worst,
        "elements": int(expected.size),
        "nodes": len(model.graph.node),
        "opset": max(entry.version for entry in model.opset_import if entry.domain in ("", "ai.onnx")),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("directory", type=pathlib.Path)
    parser.add_argument("--rtol", type=float, default=1e-4)
    arguments = parser.parse_args()
    models = sorted(arguments.directory.glob("*.onnx"))
    if not models:
        print(json.dumps({"ok": False, "reason": f"no .onnx files in {arguments.directory}"}))
        return 1
    failed = False
    for path in models:
        try:
            report = check(path, arguments.rtol)
        except Exception as error:  # checker or runtime rejected the file
            report = {"model": path.stem, "ok": False, "reason": f"{type(error).__name__}: {error}"}
        failed = failed or not report["ok"]
        print(json.dumps(report), flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
