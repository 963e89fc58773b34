"""PyTorch's `quantize_dynamic` on the weights QuantizeFashion trained (the same model): test
accuracy and batch-128 inference time, float and int8, median of `--runs` after warm-up.

    swift run -c release QuantizeFashion --save runs/mlp.safetensors
    .venv-torch/bin/python Benchmarks/pytorch_quantized.py runs/mlp.safetensors --threads 2
"""
import argparse
import statistics
import time

import numpy as np
import torch
import torch.nn as nn
from safetensors.torch import load_file

parser = argparse.ArgumentParser()
parser.add_argument("weights")
parser.add_argument("--threads", type=int, default=2)
parser.add_argument("--runs", type=int, default=200)
arguments = parser.parse_args()
torch.set_num_threads(arguments.threads)

from fashion_idx import idx  # noqa: E402  (Benchmarks/fashion_idx.py)


x = torch.tensor(idx("t10k-images-idx3-ubyte.gz").reshape(-1, 1, 28, 28) / 255.0, dtype=torch.float32)
y = torch.tensor(idx("t10k-labels-idx1-ubyte.gz").astype(np.int64))
model = nn.Sequential(nn.Flatten(), nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 10))
model.load_state_dict(load_file(arguments.weights))
model.eval()


def measure(m):
    with torch.no_grad():
        accuracy = (m(x).argmax(1) == y).float().mean().item()
        batch = x[:128]
        for _ in range(20):
            m(batch)
        samples = []
        for _ in range(arguments.runs):
            start = time.perf_counter()
            m(batch)
            samples.append(time.perf_counter() - start)
    return accuracy, statistics.median(samples) * 1e3


float_accuracy, float_ms = measure(model)
quantized = torch.ao.quantization.quantize_dynamic(model, {nn.Linear}, dtype=torch.qint8)
int8_accuracy, int8_ms = measure(quantized)
print(f"PyTorch {torch.__version__} ({torch.backends.quantized.engine}), {arguments.threads} threads")
print(f"float: test accuracy {float_accuracy:.4f}, batch 128 in {float_ms:.3f} ms")
print(f"int8:  test accuracy {int8_accuracy:.4f} ({100 * (int8_accuracy - float_accuracy):+.2f} points), "
      f"batch 128 in {int8_ms:.3f} ms ({float_ms / int8_ms:.2f}x the float speed)")
