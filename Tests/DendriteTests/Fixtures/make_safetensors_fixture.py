"""Writes data/python_written.safetensors with Python's `safetensors` package: one tensor per
dtype Dendrite reads (F32, F16, BF16, F64, I64, I32, U8) plus metadata.

Run: `make fixtures` (creates .venv-torch with torch on first use), or any python with torch.
"""
import os

import torch
from safetensors.torch import save_file

here = os.path.dirname(os.path.abspath(__file__))
values = torch.tensor([[0.5, -1.25, 3.0], [100.0, -0.0078125, 2.5]])
tensors = {
    "f32": values.to(torch.float32),
    "f16": values.to(torch.float16),
    "bf16": values.to(torch.bfloat16),
    "f64": values.to(torch.float64),
    "i64": torch.tensor([-3, 0, 7, 123456], dtype=torch.int64),
    "i32": torch.tensor([[1, -2], [3, -4]], dtype=torch.int32),
    "u8": torch.tensor([0, 1, 255], dtype=torch.uint8),
    "scalar": torch.tensor(2.75),
}
save_file(tensors, os.path.join(here, "data", "python_written.safetensors"), metadata={"written_by": "safetensors"})
