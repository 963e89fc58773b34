"""Writes the torchvision parity fixtures data/<arch>_parity.safetensors for AlexNet, VGG-11,
ResNet-18 and GoogLeNet.

These networks hold 6.6 M to 133 M parameters: their weights are too large to commit. Instead each
weight is a pure function of the tensor's name, shape and element index (`synthetic_tensor`
below, reproduced bit for bit by Tests/DendriteTests/SyntheticWeights.swift), set into the
torchvision model, which then runs in eval mode on a small input. The file stores:

- `input` and `output` (float32) — the forward pass to reproduce in Dendrite;
- metadata `manifest`: JSON `[[name, shape], ...]`, torchvision's state_dict keys and shapes in
  order, so the test also checks that Dendrite's names and shapes are torchvision's.

Run: `make fixtures` (creates .venv-torch with torch and torchvision), or any python with both.
"""
import json
import os
import sys

import numpy as np
import torch
from safetensors.torch import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "scripts"))
from torchvision_models import load_torchvision  # noqa: E402  (torchvision's model definitions)
MASK32 = 0xFFFFFFFF


def fnv1a(name):
    """32-bit FNV-1a of the UTF-8 name."""
    h = 0x811C9DC5
    for byte in name.encode("utf-8"):
        h = ((h ^ byte) * 0x01000193) & MASK32
    return h


def uniform01(seed, count):
    """murmur3's fmix32 of (index·0x9E3779B1 + seed) mod 2³², top 24 bits / 2²⁴: exact in float32."""
    x = (np.arange(count, dtype=np.uint64) * np.uint64(0x9E3779B1) + np.uint64(seed)) & np.uint64(MASK32)
    x ^= x >> np.uint64(16)
    x = (x * np.uint64(0x85EBCA6B)) & np.uint64(MASK32)
    x ^= x >> np.uint64(13)
    x = (x * np.uint64(0xC2B2AE35)) & np.uint64(MASK32)
    x ^= x >> np.uint64(16)
    return (x >> np.uint64(8)).astype(np.float32) / np.float32(1 << 24)


def synthetic_tensor(name, shape):
    """The deterministic value of one state_dict entry (see SyntheticWeights.swift)."""
    count = int(np.prod(shape)) if len(shape) else 1
    if name.endswith("num_batches_tracked"):
        return torch.zeros(shape, dtype=torch.int64)
    u = uniform01(fnv1a(name), count)
    centered = np.float32(2) * u - np.float32(1)  # [-1, 1)
    if name.endswith("running_var"):
        values = np.float32(0.5) + u
    elif name.endswith("running_mean"):
        values = centered * np.float32(0.1)
    elif len(shape) == 1 and name.endswith("weight"):  # batch-norm scale
        values = np.float32(1) + centered * np.float32(0.2)
    elif len(shape) == 1:  # biases
        values = centered * np.float32(0.1)
    else:  # He-uniform on the fan-in keeps activations O(1) through ReLU stacks
        fan_in = int(np.prod(shape[1:]))
        values = centered * np.float32(np.sqrt(6.0 / fan_in))
    return torch.from_numpy(values.astype(np.float32).reshape(shape))


def fixture(arch, model, input_shape):
    model.eval()
    state = model.state_dict()
    manifest = [[name, list(tensor.shape)] for name, tensor in state.items()]
    model.load_state_dict({name: synthetic_tensor(name, list(t.shape)) for name, t in state.items()})
    generator = torch.Generator().manual_seed(7)
    x = torch.rand(input_shape, generator=generator) * 2 - 1
    with torch.no_grad():
        y = model(x)
    path = os.path.join(HERE, "data", f"{arch}_parity.safetensors")
    save_file({"input": x.contiguous(), "output": y.contiguous()}, path,
              metadata={"manifest": json.dumps(manifest, separators=(",", ":")),
                        "torchvision": torchvision.__version__})
    print(f"{arch}: {len(manifest)} entries, input {list(x.shape)}, output {list(y.shape)}, "
          f"|y| max {y.abs().max():.3g}")


if __name__ == "__main__":
    torch.set_num_threads(1)
    torchvision = load_torchvision()
    models = torchvision.models
    fixture("alexnet", models.alexnet(weights=None), (1, 3, 64, 64))
    fixture("vgg11", models.vgg11(weights=None), (1, 3, 32, 32))
    fixture("resnet18", models.resnet18(weights=None), (2, 3, 64, 64))
    # 67×67 makes GoogLeNet's first ceil-mode max pooling keep a partial window.
    fixture("googlenet", models.googlenet(weights=None, aux_logits=False, init_weights=False), (2, 3, 67, 67))
